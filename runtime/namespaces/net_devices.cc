#include "runtime/namespaces/net_devices.h"
#include "runtime/base/unique_fd.h"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <string>
#include <vector>

namespace berth::ns {
namespace {

using Fd = base::UniqueFd;

// Appends one rtattr (header + payload, padded) to a netlink message.
void AddAttr(std::vector<char>& msg, unsigned short type, const void* data, size_t len) {
  size_t at = NLMSG_ALIGN(msg.size());
  msg.resize(at + RTA_ALIGN(RTA_LENGTH(len)), 0);
  auto* rta = reinterpret_cast<struct rtattr*>(msg.data() + at);
  rta->rta_type = type;
  rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  memcpy(RTA_DATA(rta), data, len);
}

// Sends one RTM_NEWLINK request and waits for the kernel's ack.
Status SendAndAck(int sock, std::vector<char>& msg) {
  reinterpret_cast<struct nlmsghdr*>(msg.data())->nlmsg_len = static_cast<__u32>(msg.size());
  struct sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  if (sendto(sock, msg.data(), msg.size(), 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof(kernel)) <
      0)
    return Error::Sys("netlink send");
  char buf[4096];
  ssize_t n = recv(sock, buf, sizeof(buf), 0);
  if (n < 0) return Error::Sys("netlink receive");
  for (auto* h = reinterpret_cast<struct nlmsghdr*>(buf); NLMSG_OK(h, static_cast<size_t>(n));
       h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type != NLMSG_ERROR) continue;
    int err = -reinterpret_cast<struct nlmsgerr*>(NLMSG_DATA(h))->error;
    if (err != 0) return Error(err, "netlink RTM_NEWLINK");
    return Ok();
  }
  return Error(EPROTO, "netlink: no acknowledgement");
}

// One saved address: the ifaddrmsg header and its attributes, as the kernel
// reported them, to be re-added after the move (the kernel drops addresses
// when an interface changes network namespace).
struct SavedAddress {
  std::vector<char> message;  // ifaddrmsg + rtattrs, without the nlmsghdr
};

// config-linux.md: permanent addresses of global scope, of any family, are preserved.
Result<std::vector<SavedAddress>> PermanentGlobalAddresses(int sock, unsigned index) {
  std::vector<char> req(NLMSG_SPACE(sizeof(struct ifaddrmsg)), 0);
  auto* h = reinterpret_cast<struct nlmsghdr*>(req.data());
  h->nlmsg_len = static_cast<__u32>(req.size());
  h->nlmsg_type = RTM_GETADDR;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h->nlmsg_seq = 2;
  reinterpret_cast<struct ifaddrmsg*>(NLMSG_DATA(h))->ifa_family = AF_UNSPEC;
  if (send(sock, req.data(), req.size(), 0) < 0) return Error::Sys("netlink RTM_GETADDR");
  std::vector<SavedAddress> saved;
  std::vector<char> buf(32768);
  for (;;) {
    ssize_t n = recv(sock, buf.data(), buf.size(), 0);
    if (n < 0) return Error::Sys("netlink receive addresses");
    for (auto* m = reinterpret_cast<struct nlmsghdr*>(buf.data()); NLMSG_OK(m, static_cast<size_t>(n));
         m = NLMSG_NEXT(m, n)) {
      if (m->nlmsg_type == NLMSG_DONE) return saved;
      if (m->nlmsg_type == NLMSG_ERROR) {
        int err = -reinterpret_cast<struct nlmsgerr*>(NLMSG_DATA(m))->error;
        return Error(err, "netlink RTM_GETADDR");
      }
      if (m->nlmsg_type != RTM_NEWADDR) continue;
      auto* ifa = reinterpret_cast<struct ifaddrmsg*>(NLMSG_DATA(m));
      if (ifa->ifa_index != index || ifa->ifa_scope != RT_SCOPE_UNIVERSE) continue;
      __u32 flags = ifa->ifa_flags;
      int len = static_cast<int>(IFA_PAYLOAD(m));
      for (auto* rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
        if (rta->rta_type == IFA_FLAGS) memcpy(&flags, RTA_DATA(rta), sizeof(flags));
      if (!(flags & IFA_F_PERMANENT)) continue;
      const char* begin = reinterpret_cast<const char*>(ifa);
      saved.push_back({std::vector<char>(begin, begin + (m->nlmsg_len - NLMSG_HDRLEN))});
    }
  }
}

// Re-adds the saved addresses through a netlink socket of the container's netns.
Status RestoreAddresses(int sock, const std::vector<SavedAddress>& addresses) {
  for (const SavedAddress& a : addresses) {
    std::vector<char> msg(NLMSG_HDRLEN + a.message.size(), 0);
    memcpy(msg.data() + NLMSG_HDRLEN, a.message.data(), a.message.size());
    auto* h = reinterpret_cast<struct nlmsghdr*>(msg.data());
    h->nlmsg_type = RTM_NEWADDR;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    h->nlmsg_seq = 3;
    BERTH_TRY_CTX(SendAndAck(sock, msg), "restore address");
  }
  return Ok();
}

// A netlink socket that belongs to the network namespace netns_fd. The
// runtime is single-threaded here, so it can step into the namespace and back.
Result<int> NetlinkSocketIn(int netns_fd) {
  Fd own(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (own.get() < 0) return Error::Sys("open /proc/self/ns/net");
  if (setns(netns_fd, CLONE_NEWNET) != 0) return Error::Sys("enter the container's network namespace");
  int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int saved_errno = errno;
  if (setns(own.get(), CLONE_NEWNET) != 0) {
    if (sock >= 0) close(sock);
    return Error::Sys("return to the runtime's network namespace");
  }
  if (sock < 0) return Error(saved_errno, "netlink socket in the container");
  return sock;
}

// The RTM_NEWLINK that moves device `index` into the namespace `netns_fd`,
// named `name` there (empty: keeps its name), and brings it up.
Status SendMove(int sock, unsigned index, int netns_fd, const std::string& name, bool up) {
  std::vector<char> msg(NLMSG_SPACE(sizeof(struct ifinfomsg)), 0);
  auto* h = reinterpret_cast<struct nlmsghdr*>(msg.data());
  h->nlmsg_type = RTM_NEWLINK;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  h->nlmsg_seq = 1;
  auto* ifi = reinterpret_cast<struct ifinfomsg*>(NLMSG_DATA(h));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = static_cast<int>(index);
  // The kernel applies the move first, then the flags: up in the new netns.
  if (up) {
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
  }
  __u32 fd = static_cast<__u32>(netns_fd);
  AddAttr(msg, IFLA_NET_NS_FD, &fd, sizeof(fd));
  if (!name.empty()) AddAttr(msg, IFLA_IFNAME, name.c_str(), name.size() + 1);
  return SendAndAck(sock, msg);
}

// The ifindex of `name` in the network namespace `netns_fd` (0: none).
Result<unsigned> IndexIn(int netns_fd, const std::string& name) {
  Fd own(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (own.get() < 0) return Error::Sys("open /proc/self/ns/net");
  if (setns(netns_fd, CLONE_NEWNET) != 0) return Error::Sys("enter the container's network namespace");
  unsigned index = if_nametoindex(name.c_str());
  if (setns(own.get(), CLONE_NEWNET) != 0) return Error::Sys("return to the runtime's network namespace");
  return index;
}

struct PlannedMove {
  std::string host_name;
  std::string container_name;  // the name it has in the container
  unsigned index = 0;
};

// Every check that can be made before anything moves: the device exists on
// the host, and its name in the container is neither taken there (lo, or a
// device of a joined namespace) nor given twice. The kernel moves first and
// renames after (RTM_NEWLINK keeps the old name if it is free there), so a
// taken name found by the kernel would strand the device in the container.
Result<std::vector<PlannedMove>> PlanMoves(int netns_fd, const spec::Linux& linux_config) {
  std::vector<PlannedMove> plan;
  for (const auto& [host_name, device] : linux_config.netDevices) {
    PlannedMove move{host_name, device.name.empty() ? host_name : device.name, 0};
    move.index = if_nametoindex(host_name.c_str());
    if (move.index == 0) return Error::Sys("network device " + host_name + " not found on the host");
    if (move.container_name.find('%') == std::string::npos) {
      for (const auto& other : plan)
        if (other.container_name == move.container_name)
          return Error(EEXIST, "linux.netDevices: " + other.host_name + " and " + host_name +
                                   " are both named " + move.container_name + " in the container");
      if (BERTH_TRY(IndexIn(netns_fd, move.container_name)) != 0)
        return Error(EEXIST, "network device " + host_name + ": the name " + move.container_name +
                                 " is already taken in the container's network namespace");
    }
    plan.push_back(move);
  }
  return plan;
}

Status MoveOne(int sock, int netns_fd, const PlannedMove& move, const std::string& new_name) {
  std::vector<SavedAddress> addresses =
      BERTH_TRY_CTX(PermanentGlobalAddresses(sock, move.index), "addresses of " + move.host_name);
  BERTH_TRY_CTX(SendMove(sock, move.index, netns_fd, new_name, true),
                "move network device " + move.host_name);
  if (addresses.empty()) return Ok();
  // The move keeps the ifindex (a new namespace holds only lo), so the saved
  // ifaddrmsg headers still name the device.
  Fd container_sock(BERTH_TRY(NetlinkSocketIn(netns_fd)));
  BERTH_TRY_CTX(RestoreAddresses(container_sock.get(), addresses), "network device " + move.host_name);
  return Ok();
}

// Best effort after a failed create step: the devices already moved go
// back to the host under their own names (a veth would otherwise die with
// the container's namespace).
void MoveBack(int netns_fd, const std::vector<PlannedMove>& moved) {
  Fd host_netns(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (host_netns.get() < 0) return;
  auto container_sock = NetlinkSocketIn(netns_fd);
  if (!container_sock) return;
  Fd sock(*container_sock);
  for (const auto& move : moved)
    (void)SendMove(sock.get(), move.index, host_netns.get(), move.host_name, false);
}

}  // namespace

Status MoveNetDevices(pid_t child, const spec::Linux& linux_config) {
  if (linux_config.netDevices.empty()) return Ok();
  bool new_net = false;
  for (const auto& n : linux_config.namespaces)
    if (n.type == spec::NamespaceType::network && n.path.empty()) new_net = true;
  if (!new_net) {
    return Error(EINVAL, "linux.netDevices (" + linux_config.netDevices.begin()->first +
                             ") needs a new network namespace");
  }
  std::string ns_path = "/proc/" + std::to_string(child) + "/ns/net";
  Fd netns(open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (netns.get() < 0) return Error::Sys("open " + ns_path);
  Fd sock(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (sock.get() < 0) return Error::Sys("netlink socket");
  std::vector<PlannedMove> plan = BERTH_TRY(PlanMoves(netns.get(), linux_config));
  std::vector<PlannedMove> moved;
  for (const auto& move : plan) {
    const std::string& name = linux_config.netDevices.at(move.host_name).name;
    if (Status s = MoveOne(sock.get(), netns.get(), move, name); !s) {
      // The failed one may have moved before its addresses failed.
      if (if_nametoindex(move.host_name.c_str()) != move.index) moved.push_back(move);
      MoveBack(netns.get(), moved);
      return s;
    }
    moved.push_back(move);
  }
  return Ok();
}

}  // namespace berth::ns
