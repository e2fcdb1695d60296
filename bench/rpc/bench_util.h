// Small helpers shared by the rpc benchmarks.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace stratus::bench {

using Clock = std::chrono::steady_clock;

struct Latency {
  double p50_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  std::size_t n = 0;
};

inline Latency summarize(std::vector<double> us) {
  Latency l;
  if (us.empty()) return l;
  std::sort(us.begin(), us.end());
  l.n = us.size();
  l.p50_us = us[us.size() / 2];
  l.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  double sum = 0;
  for (double v : us) sum += v;
  l.mean_us = sum / static_cast<double>(us.size());
  return l;
}

inline double us_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

struct Throughput {
  double per_second = 0;
  std::size_t received = 0;
  std::size_t sent = 0;
  std::size_t retries = 0;  // sends refused (queue full) and tried again
};

// The raw libzmq baseline: a bare ROUTER forwarder on tcp loopback.
Latency raw_call_latency(std::size_t payload_bytes, int iterations);
Throughput raw_cast_throughput(std::size_t payload_bytes, int count);

struct CodecFigures {
  std::size_t arr_bytes = 0, map_bytes = 0;
  double arr_encode_us = 0, arr_decode_us = 0, map_encode_us = 0, map_decode_us = 0;
  double envelope_us = 0;  // header + request encode and decode (one call's envelope, both ends)
};
CodecFigures codec_figures(int iterations);

}  // namespace stratus::bench
