#include "conformance/cases/rootless_config.h"

#include <algorithm>

#include "conformance/harness/bundle.h"

namespace berth::conformance {

Json ToRootless(Json config, uid_t uid, gid_t gid) {
  Bundle shape;
  shape.config = std::move(config);
  shape.RemoveNamespace("network");
  shape.AddNamespace("user");
  auto mapping = [](unsigned host_id) {
    Json m = Json::Object();
    m["containerID"] = 0;
    m["hostID"] = host_id;
    m["size"] = 1;
    return Json::Array({m});
  };
  shape.Linux()["uidMappings"] = mapping(uid);
  shape.Linux()["gidMappings"] = mapping(gid);
  for (Json& m : shape.config["mounts"].items()) {
    if (m["destination"].as_string() == "/sys") {
      m = Json::Object();
      m["destination"] = "/sys";
      m["type"] = "none";
      m["source"] = "/sys";
      m["options"] = Json::Strings({"rbind", "nosuid", "noexec", "nodev", "ro"});
      continue;
    }
    if (Json* options = m.Find("options")) {
      auto& items = options->items();
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [](const Json& o) {
                                   const std::string& s = o.as_string();
                                   return s.rfind("uid=", 0) == 0 || s.rfind("gid=", 0) == 0;
                                 }),
                  items.end());
    }
  }
  shape.Linux().Erase("resources");
  shape.Linux().Erase("cgroupsPath");
  return std::move(shape.config);
}

}  // namespace berth::conformance
