// Output of the client commands, as openstackclient prints it: `-f table`
// (the default) draws aligned, boxed columns; `-f json` prints a list as an
// array of objects keyed by column name, and a single resource as one object.
//
// Also the small formatters the commands share (addresses, power state,
// metadata), so `server list` and `server show` say things the same way.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace stratus::core::client {

enum class OutputFormat { kTable, kJson };

// "table" or "json" (the CLI restricts the choice); anything else is a table.
OutputFormat parse_output_format(const std::string& text);

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each as long as `columns`
};

// +--------+------+
// | ID     | Name |
// +--------+------+
// | 1      | a    |
// +--------+------+
// Widths count UTF-8 code points; an empty table still prints its header.
std::string render_table(const Table& table);

// [{"ID": "1", "Name": "a"}, ...]
nlohmann::json table_to_json(const Table& table);

// One resource as Field | Value rows (table) or {"field": value} (json).
struct Record {
  std::vector<std::pair<std::string, nlohmann::json>> fields;
};
std::string render_record(const Record& record, OutputFormat format);
std::string render_list(const Table& table, OutputFormat format);

// A json value as a table cell: strings bare, null as "None", numbers and
// booleans as JSON, objects and arrays as compact JSON.
std::string cell(const nlohmann::json& value);

// Nova "addresses" -> "private=10.0.0.3, fd00::3; public=172.24.4.9"
// (networks sorted by name, as openstackclient prints them).
std::string format_addresses(const nlohmann::json& addresses);

// OS-EXT-STS:power_state 0..7 -> "NOSTATE", "Running", "Paused", "Shutdown",
// "Crashed", "Suspended"; unknown numbers print as themselves.
std::string format_power_state(const nlohmann::json& power_state);

// {"a": "1", "b": "2"} -> "a='1', b='2'"
std::string format_properties(const nlohmann::json& metadata);

}  // namespace stratus::core::client
