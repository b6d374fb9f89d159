// libFuzzer target for the sync protocol's decoder (built by tools/fuzz;
// replayed over fuzz/corpus/sync by sync_fuzzer_corpus_test).
//
// Input: byte 0 picks the decoder and, for create's, the message the
// receiver waits for. create's (sync.h): the rest is sent as one packet on a
// fresh SOCK_SEQPACKET pair whose sending end is then closed, as when a
// compromised or confused peer writes arbitrary bytes and exits. Receive and
// WaitFor must return a message or an error that says something, never
// block; a decoded message must re-encode to a packet that decodes to the
// same message. With byte 0 & 0x40 the rest is a kInitPid payload (the pid
// the init and exec's intermediate child report): only a canonical decimal
// pid is accepted, and errors say something.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/container/sync.h"

namespace {

using berth::container::SyncMessage;
using berth::container::SyncSocket;
using berth::container::SyncType;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Sends the raw bytes as one packet and closes the sender: the receiver sees
// the packet, then end of file.
bool SendRawThenClose(SyncSocket& sender, const uint8_t* data, size_t size) {
  ssize_t n = send(sender.fd(), data, size, MSG_NOSIGNAL);
  sender.Close();
  return n == static_cast<ssize_t>(size);
}

void CheckReportedPid(std::string_view payload) {
  SyncMessage message{SyncType::kInitPid, 0, std::string(payload)};
  auto pid = berth::container::ParseReportedPid(message);
  if (pid.ok())
    Check(pid.value() > 0 && payload == std::to_string(pid.value()));
  else
    Check(!pid.error().message().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] & 0x40) {
    CheckReportedPid(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    return 0;
  }
  const auto expected = static_cast<SyncType>(1 + data[0] % 8);
  const bool wait = data[0] & 0x80;
  ++data;
  --size;

  auto pair = SyncSocket::Pair();
  if (!pair.ok()) return 0;  // out of fds: not the decoder's problem
  auto& [receiver, sender] = pair.value();
  if (!SendRawThenClose(sender, data, size)) return 0;

  auto received = wait ? receiver.WaitFor(expected) : receiver.Receive();
  if (!received.ok()) {
    Check(!received.error().message().empty());
    return 0;
  }
  const SyncMessage message = received.value();
  Check(!berth::container::SyncTypeName(message.type).empty());
  Check(berth::container::SyncTypeName(message.type) != "unknown");
  if (wait) Check(message.type == expected);
  Check(message.payload.size() < size);  // the header is never payload

  // Re-encode with Send and decode again: the same message.
  auto again = SyncSocket::Pair();
  if (!again.ok()) return 0;
  auto& [receiver2, sender2] = again.value();
  Check(sender2.Send(message).ok());
  sender2.Close();
  auto round = receiver2.Receive();
  Check(round.ok());
  Check(round.value().type == message.type && round.value().error_code == message.error_code &&
        round.value().payload == message.payload);
  return 0;
}
