#include "core/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "core/metrics/family.h"

namespace stratus::core::metrics {

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  return std::string(buf, end);
}

void append_labels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                   std::string_view extra_name, std::string_view extra_value) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  auto add = [&](std::string_view n, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += n;
    out += "=\"";
    out += escape_label_value(v);
    out += '"';
  };
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) add(names[i], values[i]);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out += '}';
}

namespace {
bool name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}
bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon)) return false;
  }
  return true;
}
}  // namespace

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }
bool valid_label_name(std::string_view name) { return valid_name(name, false) && name.rfind("__", 0) != 0; }

namespace detail {

void append_key(std::string& key, std::string_view value) {
  key += value;
  key += '\xff';
}

namespace {
void sample(std::string& out, std::string_view name, std::string_view suffix, const std::vector<std::string>& names,
            const std::vector<std::string>& values, const std::string& value, std::string_view extra_name = {},
            std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  append_labels(out, names, values, extra_name, extra_value);
  out += ' ';
  out += value;
  out += '\n';
}
}  // namespace

void render_child(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Counter& c) {
  sample(out, name, "", label_names, values, std::to_string(c.value()));
}

void render_child(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Gauge& g) {
  sample(out, name, "", label_names, values, format_value(g.value()));
}

void render_child(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Histogram& h) {
  const Histogram::Snapshot s = h.snapshot();
  const auto& bounds = h.bounds();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    sample(out, name, "_bucket", label_names, values, std::to_string(s.cumulative[i]), "le", format_value(bounds[i]));
  }
  sample(out, name, "_bucket", label_names, values, std::to_string(s.count), "le", "+Inf");
  sample(out, name, "_sum", label_names, values, format_value(s.sum));
  sample(out, name, "_count", label_names, values, std::to_string(s.count));
}

void report_label_mismatch(const std::string& name, std::size_t wanted, std::size_t got) {
  // Once per name and count; a bug in the caller, so loud but harmless.
  static std::mutex mu;
  static std::set<std::pair<std::string, std::size_t>> seen;
  std::lock_guard lock(mu);
  if (!seen.emplace(name, got).second) return;
  spdlog::error("metric {}: {} label value(s) given, {} expected; the sample is dropped", name, got, wanted);
}

}  // namespace detail

}  // namespace stratus::core::metrics
