// A strict reader of Prometheus' text exposition format (version 0.0.4), for
// tests: it refuses anything a Prometheus server would refuse, and more that
// the format's specification forbids but parsers forgive (a family split in
// two groups, a sample before its TYPE, a second HELP, a histogram whose
// buckets are not cumulative or lack +Inf, a duplicate series, an unknown
// escape). Header-only; used by the unit tests of core/metrics and by the
// integration tests that scrape /metrics.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::test::prom {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Family {
  std::string type;  // counter, gauge, histogram, summary, untyped
  std::string help;
  bool has_help = false;
};

struct Exposition {
  std::map<std::string, Family> families;
  std::vector<Sample> samples;

  // Sum of the samples named `name` whose labels include every pair of `match`.
  double sum(const std::string& name, const std::map<std::string, std::string>& match = {}) const {
    double total = 0;
    for (const Sample& s : samples) {
      if (s.name != name) continue;
      bool ok = true;
      for (const auto& [k, v] : match) {
        auto it = s.labels.find(k);
        if (it == s.labels.end() || it->second != v) ok = false;
      }
      if (ok) total += s.value;
    }
    return total;
  }
  bool has(const std::string& name) const {
    for (const Sample& s : samples) {
      if (s.name == name) return true;
    }
    return false;
  }
};

namespace detail {

inline bool name_ok(std::string_view n, bool colon) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

inline std::optional<double> parse_value(const std::string& t) {
  if (t == "+Inf" || t == "Inf") return HUGE_VAL;
  if (t == "-Inf") return -HUGE_VAL;
  if (t == "NaN") return std::nan("");
  if (t.empty()) return std::nullopt;
  for (char c : t) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return std::nullopt;
  }
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return std::nullopt;
  return v;
}

// The family a sample name belongs to, given the current family and its type.
inline bool belongs(const std::string& sample, const std::string& family, const std::string& type) {
  if (sample == family) return type != "histogram";
  if (type == "histogram") {
    return sample == family + "_bucket" || sample == family + "_sum" || sample == family + "_count";
  }
  return false;
}

}  // namespace detail

// Parses `text`; on failure returns nullopt and sets `error` to the line
// number and the reason.
inline std::optional<Exposition> parse(const std::string& text, std::string& error) {
  Exposition out;
  std::set<std::string> closed;  // families whose group has ended
  std::string current;           // the family of the current group
  std::set<std::string> series;
  std::size_t line_no = 0;
  auto fail = [&](const std::string& why) -> std::optional<Exposition> {
    error = "line " + std::to_string(line_no) + ": " + why;
    return std::nullopt;
  };
  if (!text.empty() && text.back() != '\n') {
    line_no = 0;
    return fail("the text does not end with a newline");
  }
  auto start_group = [&](const std::string& name) -> bool {
    if (name == current) return true;
    if (closed.count(name)) return false;
    if (!current.empty()) closed.insert(current);
    current = name;
    return true;
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty()) return fail("empty line");
    if (line[0] == '#') {
      std::string_view rest(line);
      const bool help = rest.rfind("# HELP ", 0) == 0;
      const bool type = rest.rfind("# TYPE ", 0) == 0;
      if (!help && !type) return fail("a comment other than HELP or TYPE");
      rest.remove_prefix(7);
      const auto sp = rest.find(' ');
      if (sp == std::string_view::npos) return fail("HELP/TYPE without text");
      const std::string name(rest.substr(0, sp));
      const std::string arg(rest.substr(sp + 1));
      if (!detail::name_ok(name, true)) return fail("bad metric name '" + name + "'");
      if (!start_group(name)) return fail("family " + name + " appears in two groups");
      Family& f = out.families[name];
      if (help) {
        if (f.has_help) return fail("second HELP for " + name);
        for (std::size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] != '\\') {
            f.help += arg[i];
            continue;
          }
          if (i + 1 >= arg.size()) return fail("HELP ends in a backslash");
          const char e = arg[++i];
          if (e == '\\') {
            f.help += '\\';
          } else if (e == 'n') {
            f.help += '\n';
          } else {
            return fail(std::string("unknown escape \\") + e + " in HELP");
          }
        }
        f.has_help = true;
      } else {
        if (!f.type.empty()) return fail("second TYPE for " + name);
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
        if (!kTypes.count(arg)) return fail("unknown type '" + arg + "'");
        for (const Sample& s : out.samples) {
          if (detail::belongs(s.name, name, arg)) return fail("TYPE of " + name + " after its samples");
        }
        f.type = arg;
      }
      continue;
    }
    // A sample: name, optional {labels}, a space, the value.
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    Sample s;
    s.name = line.substr(0, i);
    if (!detail::name_ok(s.name, true)) return fail("bad sample name '" + s.name + "'");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos) return fail("label without '='");
        const std::string lname = line.substr(i, eq - i);
        if (!detail::name_ok(lname, false) || lname.rfind("__", 0) == 0) return fail("bad label name '" + lname + "'");
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') return fail("label value not quoted");
        ++i;
        std::string value;
        bool closed_quote = false;
        while (i < line.size()) {
          const char c = line[i++];
          if (c == '"') {
            closed_quote = true;
            break;
          }
          if (c != '\\') {
            value += c;
            continue;
          }
          if (i >= line.size()) return fail("label value ends in a backslash");
          const char e = line[i++];
          if (e == '\\') {
            value += '\\';
          } else if (e == '"') {
            value += '"';
          } else if (e == 'n') {
            value += '\n';
          } else {
            return fail(std::string("unknown escape \\") + e + " in a label value");
          }
        }
        if (!closed_quote) return fail("unterminated label value");
        if (!s.labels.emplace(lname, value).second) return fail("label " + lname + " given twice");
        if (i < line.size() && line[i] == ',') {
          ++i;
        } else if (i >= line.size() || line[i] != '}') {
          return fail("labels not separated by ','");
        }
      }
    }
    if (i >= line.size() || line[i] != ' ') return fail("no space before the value");
    const std::string value_text = line.substr(i + 1);
    if (value_text.find(' ') != std::string::npos) return fail("a timestamp or trailing text after the value");
    auto v = detail::parse_value(value_text);
    if (!v) return fail("bad value '" + value_text + "'");
    s.value = *v;
    // The sample must belong to the current family, whose TYPE came first.
    auto fam = out.families.find(current);
    if (current.empty() || fam == out.families.end() || fam->second.type.empty() ||
        !detail::belongs(s.name, current, fam->second.type)) {
      return fail("sample " + s.name + " outside its family's group or before its TYPE");
    }
    if (fam->second.type == "counter" && !(s.value >= 0)) return fail("negative counter " + s.name);
    std::string key = s.name;
    for (const auto& [k, lv] : s.labels) key += "\xff" + k + "=" + lv;
    if (!series.insert(key).second) return fail("duplicate series " + key);
    out.samples.push_back(std::move(s));
  }
  // Histograms: per label set, buckets ascending in le and cumulative, +Inf == _count.
  for (const auto& [name, f] : out.families) {
    if (f.type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const Sample& s : out.samples) {
      if (s.name == name + "_bucket") {
        auto labels = s.labels;
        auto le = labels.find("le");
        if (le == labels.end()) return fail(name + "_bucket without le");
        auto bound = detail::parse_value(le->second);
        if (!bound) return fail(name + "_bucket with a bad le '" + le->second + "'");
        labels.erase(le);
        buckets[labels].emplace_back(*bound, s.value);
      } else if (s.name == name + "_count") {
        counts[s.labels] = s.value;
      }
    }
    for (const auto& [labels, list] : buckets) {
      for (std::size_t k = 1; k < list.size(); ++k) {
        if (!(list[k - 1].first < list[k].first)) return fail(name + ": buckets not in ascending le order");
        if (list[k - 1].second > list[k].second) return fail(name + ": buckets not cumulative");
      }
      if (list.empty() || !std::isinf(list.back().first)) return fail(name + ": no +Inf bucket");
      auto c = counts.find(labels);
      if (c == counts.end()) return fail(name + ": no _count for a bucket set");
      if (c->second != list.back().second) return fail(name + ": +Inf bucket differs from _count");
    }
  }
  return out;
}

}  // namespace stratus::test::prom
