// Child side: host and domain name of the container's uts namespace.
#include <unistd.h>

#include "runtime/namespaces/namespaces.h"

namespace berth::ns {

Status SetHostAndDomainName(const spec::Config& config) {
  if (config.hostname.empty() && config.domainname.empty()) return Ok();
  // Without a private uts namespace this would rename the host.
  bool has_uts = config.linux_ && config.linux_->HasNamespace(spec::NamespaceType::uts);
  if (!has_uts) {
    return Error(EINVAL, config.hostname.empty() ? "domainname set without a private uts namespace"
                                                 : "hostname set without a private uts namespace");
  }
  if (!config.hostname.empty() && sethostname(config.hostname.data(), config.hostname.size()) != 0)
    return Error::Sys("sethostname " + config.hostname);
  if (!config.domainname.empty() && setdomainname(config.domainname.data(), config.domainname.size()) != 0)
    return Error::Sys("setdomainname " + config.domainname);
  return Ok();
}

}  // namespace berth::ns
