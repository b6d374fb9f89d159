// Errors as values, used by every layer of berth.
//
// An Error carries the errno that caused it (0 when there is none) and a
// message that callers extend with context on the way up:
//
//   return Error::Sys("open " + path);              // captures errno now
//   BERTH_TRY(MountProc(root)); ...                  // propagate
//   if (!r) return std::move(r).error().Context("prepare rootfs");
//
// ToString() gives "prepare rootfs: open /x: No such file or directory".
// Errors are logged once, at the command-line boundary.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace berth {

class Error {
 public:
  Error(int code, std::string message) : code_(code), message_(std::move(message)) {}
  explicit Error(std::string message) : Error(0, std::move(message)) {}

  // An error for a failed system call: captures the current errno.
  static Error Sys(std::string what) { return Error(errno, std::move(what)); }

  // An error whose errno only classifies it (ENOENT not found, EEXIST
  // exists, EBUSY wrong state), for callers to branch on; the message says
  // everything, so ToString() adds no strerror text.
  static Error Kind(int code, std::string message) {
    Error e(code, std::move(message));
    e.code_is_kind_ = true;
    return e;
  }

  // Prepends "context: " to the message.
  Error Context(const std::string& context) && {
    message_ = context + ": " + message_;
    return std::move(*this);
  }

  int code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const {
    if (code_ == 0 || code_is_kind_) return message_;
    return message_ + ": " + std::strerror(code_);
  }

 private:
  int code_;
  bool code_is_kind_ = false;
  std::string message_;
};

// Holds either a T or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}

  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{0, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace berth

// Evaluates a Result expression; on error returns the Error from the
// enclosing function, otherwise yields the value (GNU statement expression).
#define BERTH_TRY(expr)                                                       \
  ({                                                                          \
    auto&& berth_try_result_ = (expr);                                        \
    if (!berth_try_result_.ok()) return std::move(berth_try_result_).error(); \
    std::move(berth_try_result_).value();                                     \
  })

// Like BERTH_TRY, adding context to the error.
#define BERTH_TRY_CTX(expr, context)                                                           \
  ({                                                                                           \
    auto&& berth_try_result_ = (expr);                                                         \
    if (!berth_try_result_.ok()) return std::move(berth_try_result_).error().Context(context); \
    std::move(berth_try_result_).value();                                                      \
  })
