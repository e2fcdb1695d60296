// core/metrics: values, the registry's rules, and the text it renders, read
// back with a strict parser of the exposition format.
#include <thread>

#include <gtest/gtest.h>

#include "core/metrics/process_metrics.h"
#include "core/metrics/registry.h"
#include "core/metrics/text_format.h"
#include "exposition_parser.h"

namespace stratus::core::metrics {
namespace {

test::prom::Exposition parse_ok(const std::string& text) {
  std::string error;
  auto parsed = test::prom::parse(text, error);
  EXPECT_TRUE(parsed.has_value()) << error << "\n" << text;
  return parsed.value_or(test::prom::Exposition{});
}

TEST(MetricsText, RendersCountersGaugesAndHistogramsExactly) {
  Registry r;
  r.counter("t_requests_total", "Requests.", {"method"}).labels({"GET"}).inc(3);
  r.gauge("t_depth", "Depth.").labels({}).set(2.5);
  auto& h = r.histogram("t_seconds", "Latency.", {"route"}, {0.1, 1});
  h.labels({"/a"}).observe(0.0625);
  h.labels({"/a"}).observe(0.5);
  h.labels({"/a"}).observe(7);
  EXPECT_EQ(r.render(),
            "# HELP t_depth Depth.\n"
            "# TYPE t_depth gauge\n"
            "t_depth 2.5\n"
            "# HELP t_requests_total Requests.\n"
            "# TYPE t_requests_total counter\n"
            "t_requests_total{method=\"GET\"} 3\n"
            "# HELP t_seconds Latency.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{route=\"/a\",le=\"0.1\"} 1\n"
            "t_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"
            "t_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"
            "t_seconds_sum{route=\"/a\"} 7.5625\n"
            "t_seconds_count{route=\"/a\"} 3\n");
}

TEST(MetricsText, EscapesHelpAndLabelValues) {
  EXPECT_EQ(escape_help("a\\b\nc\"d"), "a\\\\b\\nc\"d");
  EXPECT_EQ(escape_label_value("a\\b\nc\"d"), "a\\\\b\\nc\\\"d");
  Registry r;
  r.counter("t_total", "Line one\nback\\slash \"quoted\"", {"v"}).labels({"x\"y\\z\nw"}).inc();
  const auto e = parse_ok(r.render());
  EXPECT_EQ(e.families.at("t_total").help, "Line one\nback\\slash \"quoted\"");
  ASSERT_EQ(e.samples.size(), 1u);
  EXPECT_EQ(e.samples[0].labels.at("v"), "x\"y\\z\nw");
}

TEST(MetricsText, FormatsValuesThatReadBack) {
  EXPECT_EQ(format_value(0.005), "0.005");
  EXPECT_EQ(format_value(12), "12");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(HUGE_VAL), "+Inf");
  EXPECT_EQ(format_value(-HUGE_VAL), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_EQ(std::stod(format_value(0.1 + 0.2)), 0.1 + 0.2);
}

TEST(MetricsRegistry, SameDefinitionGivesTheSameFamily) {
  Registry r;
  auto& a = r.counter("t_total", "x", {"a"});
  auto& b = r.counter("t_total", "x", {"a"});
  EXPECT_EQ(&a, &b);
  auto& h1 = r.histogram("t_h", "x", {}, {1, 2});
  auto& h2 = r.histogram("t_h", "x", {}, {1, 2});
  EXPECT_EQ(&h1, &h2);
  EXPECT_TRUE(r.definition_errors().empty());
}

TEST(MetricsRegistry, RefusesBadOrConflictingDefinitionsWithoutExportingThem) {
  Registry r;
  r.counter("t_total", "x", {"a"}).labels({"1"}).inc();
  r.counter("t_total", "x", {"b"}).labels({"1"}).inc(5);        // other labels
  r.gauge("t_total", "x", {"a"}).labels({"1"}).set(9);          // other kind
  r.histogram("t_h", "x", {}, {1, 2}).labels({}).observe(1);
  r.histogram("t_h", "x", {}, {1, 3}).labels({}).observe(1);    // other buckets
  r.counter("9bad", "x").labels({}).inc();                      // bad name
  r.counter("t_ok_total", "x", {"__reserved"}).labels({"v"}).inc();
  r.histogram("t_le", "x", {"le"}, {1}).labels({"v"}).observe(1);
  r.histogram("t_desc", "x", {}, {2, 1}).labels({}).observe(1);
  r.histogram("t_inf", "x", {}, {1, HUGE_VAL}).labels({}).observe(1);
  r.counter("t_dup_total", "x", {"a", "a"}).labels({"1", "2"}).inc();
  EXPECT_EQ(r.definition_errors().size(), 9u);
  const auto e = parse_ok(r.render());
  EXPECT_EQ(e.families.size(), 2u);
  EXPECT_EQ(e.sum("t_total", {{"a", "1"}}), 1);
  EXPECT_EQ(e.sum("t_h_count"), 1);
}

TEST(MetricsRegistry, WrongNumberOfLabelValuesIsDroppedNotExported) {
  Registry r;
  auto& f = r.counter("t_total", "x", {"a", "b"});
  f.labels({"only-one"}).inc();
  f.labels({"1", "2"}).inc(2);
  const auto e = parse_ok(r.render());
  ASSERT_EQ(e.samples.size(), 1u);
  EXPECT_EQ(e.samples[0].value, 2);
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeAndLeIsInclusive) {
  Registry r;
  auto& h = r.histogram("t_seconds", "x", {}, {1, 2, 5}).labels({});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 5.0, 6.0}) h.observe(v);
  const auto e = parse_ok(r.render());
  EXPECT_EQ(e.sum("t_seconds_bucket", {{"le", "1"}}), 2);
  EXPECT_EQ(e.sum("t_seconds_bucket", {{"le", "2"}}), 4);
  EXPECT_EQ(e.sum("t_seconds_bucket", {{"le", "5"}}), 6);
  EXPECT_EQ(e.sum("t_seconds_bucket", {{"le", "+Inf"}}), 7);
  EXPECT_EQ(e.sum("t_seconds_sum"), 20);
}

TEST(MetricsRegistry, CollectorsMergeByNameAndStopWithTheirHandle) {
  Registry r;
  r.gauge("t_depth", "Depth.", {"endpoint"}).labels({"a"}).set(1);
  auto first = r.add_collector([](CollectorSink& s) { s.gauge("t_depth", "Depth.", {{"endpoint", "b"}}, 2); });
  auto second = r.add_collector([](CollectorSink& s) {
    s.gauge("t_depth", "Depth.", {{"endpoint", "c"}}, 3);
    s.counter("t_depth", "clash", {}, 1);          // another kind: dropped
    s.counter("t_frames_total", "Frames.", {}, 10);
    s.gauge("bad name", "x", {}, 1);               // invalid: dropped
  });
  auto e = parse_ok(r.render());
  EXPECT_EQ(e.sum("t_depth"), 6);
  EXPECT_EQ(e.families.at("t_frames_total").type, "counter");
  EXPECT_EQ(e.families.size(), 2u);
  second.reset();
  CollectorHandle moved = std::move(first);
  e = parse_ok(r.render());
  EXPECT_EQ(e.sum("t_depth"), 3);
  EXPECT_FALSE(e.has("t_frames_total"));
  moved.reset();
  EXPECT_EQ(parse_ok(r.render()).sum("t_depth"), 1);
}

TEST(MetricsRegistry, ProcessCollectorReportsThisProcess) {
  Registry r;
  auto handle = add_process_collector(r);
  const auto e = parse_ok(r.render());
  EXPECT_GT(e.sum("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(e.sum("process_start_time_seconds"), 1.6e9);
  EXPECT_GE(e.sum("process_cpu_seconds_total"), 0);
  EXPECT_GT(e.sum("process_open_fds"), 2);
  EXPECT_EQ(e.families.at("process_cpu_seconds_total").type, "counter");
  EXPECT_EQ(e.sum("stratus_build_info"), 1);
}

TEST(MetricsRegistry, ConcurrentUpdatesAreNotLost) {
  Registry r;
  auto& family = r.counter("t_total", "x", {"k"});
  auto& h = r.histogram("t_seconds", "x", {"k"}, latency_buckets());
  constexpr int kThreads = 8, kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "k" + std::to_string(t % 3);
      for (int i = 0; i < kEach; ++i) {
        family.labels({key}).inc();
        h.labels({key}).observe(0.001 * (i % 100));
      }
    });
  }
  // Scrapes while the writers run must parse too.
  for (int i = 0; i < 20; ++i) parse_ok(r.render());
  for (auto& th : threads) th.join();
  const auto e = parse_ok(r.render());
  EXPECT_EQ(e.sum("t_total"), kThreads * kEach);
  EXPECT_EQ(e.sum("t_seconds_count"), kThreads * kEach);
}

TEST(ExpositionParser, RefusesWhatTheFormatForbids) {
  std::string error;
  auto refused = [&](const std::string& text) { return !test::prom::parse(text, error).has_value(); };
  EXPECT_TRUE(refused("a_total 1\n"));                                             // no TYPE
  EXPECT_TRUE(refused("# TYPE a counter\na 1"));                                   // no final newline
  EXPECT_TRUE(refused("# TYPE a counter\na{x=\"1\\t\"} 1\n"));                     // bad escape
  EXPECT_TRUE(refused("# TYPE a counter\n# TYPE b gauge\nb 1\na 1\n"));            // a split
  EXPECT_TRUE(refused("# TYPE a counter\na{x=\"1\"} 1\na{x=\"1\"} 2\n"));          // duplicate
  EXPECT_TRUE(refused("# TYPE a histogram\na_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\na_count 1\n"));
  EXPECT_TRUE(refused("# TYPE a histogram\na_bucket{le=\"1\"} 1\na_count 1\n"));   // no +Inf
  EXPECT_TRUE(refused("# TYPE a counter\na -1\n"));
  EXPECT_TRUE(refused("# TYPE a gauge\na 1 123\n"));                               // timestamp
  EXPECT_FALSE(refused("# HELP a x\n# TYPE a gauge\na{b=\"\"} -1.5e-3\n")) << error;
}

}  // namespace
}  // namespace stratus::core::metrics
