#include "core/db/role_list_codec.h"

namespace stratus::core::db {

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string encode_roles(const std::vector<RoleRecord>& roles) {
  std::vector<std::string> items;
  for (const auto& r : roles) items.push_back(r.id + ":" + r.name);
  return join_list(items);
}

std::vector<RoleRecord> decode_roles(const std::string& text) {
  std::vector<RoleRecord> out;
  for (const auto& pair : split_list(text)) {
    auto colon = pair.find(':');
    if (colon != std::string::npos) out.push_back({pair.substr(0, colon), pair.substr(colon + 1)});
  }
  return out;
}

}  // namespace stratus::core::db
