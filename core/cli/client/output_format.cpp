#include "core/cli/client/output_format.h"

#include <algorithm>
#include <map>

namespace stratus::core::client {

using nlohmann::json;

namespace {

size_t display_width(const std::string& s) {
  // Count UTF-8 code points: every byte that is not a continuation byte.
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

}  // namespace

OutputFormat parse_output_format(const std::string& text) {
  return text == "json" ? OutputFormat::kJson : OutputFormat::kTable;
}

std::string render_table(const Table& table) {
  std::vector<size_t> widths;
  for (const auto& c : table.columns) widths.push_back(display_width(c));
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < widths.size() && i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(one_line(row[i])));
    }
  }
  std::string rule = "+";
  for (size_t w : widths) rule += std::string(w + 2, '-') + "+";
  rule += "\n";
  const auto line = [&widths](const std::vector<std::string>& values) {
    std::string out = "|";
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string v = i < values.size() ? one_line(values[i]) : std::string();
      out += " " + v + std::string(widths[i] - display_width(v), ' ') + " |";
    }
    return out + "\n";
  };
  std::string out = rule + line(table.columns) + rule;
  for (const auto& row : table.rows) out += line(row);
  if (!table.rows.empty()) out += rule;
  return out;
}

json table_to_json(const Table& table) {
  json out = json::array();
  for (const auto& row : table.rows) {
    json obj = json::object();
    for (size_t i = 0; i < table.columns.size(); ++i) obj[table.columns[i]] = i < row.size() ? row[i] : "";
    out.push_back(std::move(obj));
  }
  return out;
}

std::string render_record(const Record& record, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    json obj = json::object();
    for (const auto& [k, v] : record.fields) obj[k] = v;
    return obj.dump(2) + "\n";
  }
  Table t{{"Field", "Value"}, {}};
  for (const auto& [k, v] : record.fields) t.rows.push_back({k, cell(v)});
  return render_table(t);
}

std::string render_list(const Table& table, OutputFormat format) {
  if (format == OutputFormat::kJson) return table_to_json(table).dump(2) + "\n";
  return render_table(table);
}

std::string cell(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "None";
  return value.dump();
}

std::string format_addresses(const json& addresses) {
  if (!addresses.is_object()) return "";
  std::map<std::string, std::vector<std::string>> by_network;  // sorted by network name
  for (const auto& [network, ips] : addresses.items()) {
    auto& list = by_network[network];
    if (!ips.is_array()) continue;
    for (const auto& ip : ips) {
      if (ip.is_object() && ip.contains("addr") && ip["addr"].is_string()) list.push_back(ip["addr"].get<std::string>());
    }
  }
  std::string out;
  for (const auto& [network, list] : by_network) {
    if (!out.empty()) out += "; ";
    out += network + "=";
    for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + list[i];
  }
  return out;
}

std::string format_power_state(const json& power_state) {
  static const char* names[] = {"NOSTATE", "Running", "", "Paused", "Shutdown", "", "Crashed", "Suspended"};
  if (power_state.is_number_integer()) {
    const auto n = power_state.get<long long>();
    if (n >= 0 && n < 8 && names[n][0] != '\0') return names[n];
    return std::to_string(n);
  }
  return power_state.is_null() ? "" : cell(power_state);
}

std::string format_properties(const json& metadata) {
  if (!metadata.is_object()) return "";
  std::string out;
  for (const auto& [k, v] : metadata.items()) {
    if (!out.empty()) out += ", ";
    out += k + "='" + cell(v) + "'";
  }
  return out;
}

}  // namespace stratus::core::client
