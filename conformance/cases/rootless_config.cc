#include "conformance/cases/rootless_config.h"

#include <algorithm>

#include "conformance/harness/bundle.h"

namespace berth::conformance {

namespace json = spec::json;

json::Value ToRootless(json::Value config, uid_t uid, gid_t gid) {
  Bundle shape;
  shape.config = std::move(config);
  shape.RemoveNamespace("network");
  shape.AddNamespace("user");
  auto mapping = [](unsigned host_id) {
    json::Value m = json::Value::Object();
    m["containerID"] = 0;
    m["hostID"] = host_id;
    m["size"] = 1;
    return json::Value::Array({m});
  };
  shape.Linux()["uidMappings"] = mapping(uid);
  shape.Linux()["gidMappings"] = mapping(gid);
  for (json::Value& m : shape.config["mounts"].items) {
    if (m["destination"].as_string() == "/sys") {
      m = json::Value::Object();
      m["destination"] = "/sys";
      m["type"] = "none";
      m["source"] = "/sys";
      m["options"] = json::Value::Strings({"rbind", "nosuid", "noexec", "nodev", "ro"});
      continue;
    }
    if (json::Value* options = m.Find("options")) {
      auto& items = options->items;
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [](const json::Value& o) {
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
