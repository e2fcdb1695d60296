// The pieces of Prometheus' text exposition format (version 0.0.4) that
// need care: escaping of HELP text and label values, and number formatting.
//
//   HELP text:    \ -> \\ , newline -> \n
//   label values: \ -> \\ , " -> \" , newline -> \n
//   values:       shortest form that reads back exactly ("0.005", "12",
//                 "1e+06"), and "+Inf", "-Inf", "NaN"
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::core::metrics {

std::string escape_help(std::string_view text);
std::string escape_label_value(std::string_view value);
std::string format_value(double value);

// Appends `{a="x",b="y"}` (nothing when there are no labels); `extra`, if
// not empty, is appended as the last label (a histogram's "le").
void append_labels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                   std::string_view extra_name = {}, std::string_view extra_value = {});

// Metric and label names as the format allows them.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace stratus::core::metrics
