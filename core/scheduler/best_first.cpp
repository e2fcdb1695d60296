#include "core/scheduler/best_first.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>

namespace stratus::core::scheduler {
namespace {

// Hosts filtered at once: enough to spread a filter's per-call set-up, few
// enough that the walk stops soon after the hosts it needs.
constexpr std::size_t kBatch = 16;

using Key = std::pair<std::string, std::string>;

struct Seen {
  const sdk::HostState* state = nullptr;
  const Key* key = nullptr;
  const std::shared_ptr<const sdk::HostState>* owner = nullptr;
  double weight = 0.0;
};

// Best first: the higher weight, then the host and node order (the full
// pass's stable sort keeps that order among equal weights).
struct WorseThan {
  bool operator()(const Seen& a, const Seen& b) const {
    if (a.weight != b.weight) return a.weight < b.weight;
    return *a.key > *b.key;
  }
};

class Walk {
 public:
  Walk(const std::vector<HostOnlyWeigher>& weighers, const BatchFilter& filter)
      : weighers_(weighers), filter_(filter) {}

  // Runs the hosts of `batch` not judged yet through the filter.
  void judge(const std::vector<const sdk::HostState*>& batch) {
    std::vector<const sdk::HostState*> fresh;
    fresh.reserve(batch.size());
    for (const sdk::HostState* h : batch) {
      if (verdicts_.emplace(h, false).second) fresh.push_back(h);
    }
    if (fresh.empty()) return;
    examined_ += fresh.size();
    filter_(fresh);
    for (const sdk::HostState* h : fresh) verdicts_[h] = true;
  }

  bool passes(const sdk::HostState* h) const {
    auto it = verdicts_.find(h);
    return it != verdicts_.end() && it->second;
  }

  // The first entry from `it` on that passes, or `end`.
  template <typename It>
  It first_passing(It it, It end) {
    while (it != end) {
      std::vector<const sdk::HostState*> batch;
      It probe = it;
      for (std::size_t n = 0; n < kBatch && probe != end; ++n, ++probe) batch.push_back(probe->state->get());
      judge(batch);
      for (; it != probe; ++it) {
        if (passes(it->state->get())) return it;
      }
    }
    return end;
  }

  // WeigherChain::weigh's weight of a host, with the same operations.
  double weight(const sdk::HostState& host) const {
    double w = 0.0;
    for (std::size_t i = 0; i < weighers_.size(); ++i) w += weighers_[i].multiplier * norm(i, weighers_[i].raw(host));
    return w;
  }

  double norm(std::size_t i, double raw) const { return usable_[i] ? (raw - lo_[i]) / range_[i] : 0.0; }

  void set_bounds(std::size_t i, double lo, double hi) {
    lo_.resize(weighers_.size(), 0.0);
    range_.resize(weighers_.size(), 0.0);
    usable_.resize(weighers_.size(), false);
    lo_[i] = lo;
    range_[i] = hi - lo;
    // As normalize(): a zero (or unrepresentable) range weighs 0 for all.
    usable_[i] = range_[i] > 0.0 && std::isfinite(range_[i]);
  }
  bool usable(std::size_t i) const { return usable_[i]; }
  std::size_t examined() const { return examined_; }

 private:
  const std::vector<HostOnlyWeigher>& weighers_;
  const BatchFilter& filter_;
  std::unordered_map<const sdk::HostState*, bool> verdicts_;
  std::size_t examined_ = 0;
  std::vector<double> lo_, range_;
  std::vector<bool> usable_;
};

void add(BestFirstRanking& out, const std::shared_ptr<const sdk::HostState>& owner, double weight) {
  out.owners.push_back(owner);
  out.hosts.push_back({owner.get(), weight});
}

// Every weight is 0: the full pass keeps host and node order.
std::optional<BestFirstRanking> in_order(const HostStateCache::RankedView& view, Walk& walk, std::size_t wanted) {
  BestFirstRanking out;
  std::vector<const std::shared_ptr<const sdk::HostState>*> batch;
  bool full = false;
  auto flush = [&] {
    std::vector<const sdk::HostState*> states;
    states.reserve(batch.size());
    for (const auto* owner : batch) states.push_back(owner->get());
    walk.judge(states);
    for (const auto* owner : batch) {
      if (!walk.passes(owner->get())) continue;
      ++out.passed;
      if (out.hosts.size() < wanted) {
        add(out, *owner, 0.0);
      } else {
        full = true;  // one more passes than wanted: the ranking is a prefix
      }
    }
    batch.clear();
  };
  view.for_each_in_order([&](const std::shared_ptr<const sdk::HostState>& owner) {
    batch.push_back(&owner);
    if (batch.size() == kBatch) flush();
    return !full;
  });
  if (!full) flush();
  if (out.hosts.empty()) return std::nullopt;
  out.complete = !full;
  out.examined = walk.examined();
  return out;
}

// One weigher's list, walked from its best end.
struct Cursor {
  std::size_t weigher = 0;
  bool forward = true;  // from the highest raw value (a positive multiplier)
  RankIndex::const_iterator fwd;
  RankIndex::const_reverse_iterator rev;
  const RankIndex* index = nullptr;

  bool done() const { return forward ? fwd == index->end() : rev == index->rend(); }
  const RankEntry& entry() const { return forward ? *fwd : *rev; }
  void next() {
    if (forward) {
      ++fwd;
    } else {
      ++rev;
    }
  }
};

}  // namespace

std::optional<BestFirstRanking> best_first(const HostStateCache::RankedView& view,
                                           const std::vector<HostOnlyWeigher>& weighers, const BatchFilter& filter,
                                           std::size_t wanted) {
  if (!view.finite() || view.key_names().size() != weighers.size()) return std::nullopt;
  for (std::size_t i = 0; i < weighers.size(); ++i) {
    if (view.key_names()[i] != weighers[i].name) return std::nullopt;
  }
  wanted = std::max<std::size_t>(wanted, 1);
  Walk walk(weighers, filter);
  if (weighers.empty()) return in_order(view, walk, wanted);

  // 1. Each weigher's lowest and highest raw value among the hosts that pass.
  for (std::size_t i = 0; i < weighers.size(); ++i) {
    const RankIndex& index = view.index(i);
    auto top = walk.first_passing(index.begin(), index.end());
    if (top == index.end()) return std::nullopt;  // no host passes
    auto bottom = walk.first_passing(index.rbegin(), index.rend());
    if (top->state == bottom->state) {
      // Everything above and below it fails: it is the only host that
      // passes, and the full pass asks no weigher about a single host.
      BestFirstRanking out;
      add(out, *top->state, 0.0);
      out.complete = true;
      out.passed = 1;
      out.examined = walk.examined();
      return out;
    }
    walk.set_bounds(i, bottom->raw, top->raw);
  }

  std::vector<Cursor> cursors;
  for (std::size_t i = 0; i < weighers.size(); ++i) {
    if (!walk.usable(i)) continue;
    Cursor c;
    c.weigher = i;
    c.forward = weighers[i].multiplier > 0;
    c.index = &view.index(i);
    c.fwd = c.index->begin();
    c.rev = c.index->rbegin();
    cursors.push_back(c);
  }
  if (cursors.empty()) return in_order(view, walk, wanted);

  // 2. The threshold walk.
  BestFirstRanking out;
  std::priority_queue<Seen, std::vector<Seen>, WorseThan> ready;
  std::unordered_map<const sdk::HostState*, bool> seen;
  std::vector<const RankEntry*> round;
  std::vector<const sdk::HostState*> states;
  for (;;) {
    round.clear();
    states.clear();
    bool exhausted = false;
    for (Cursor& c : cursors) {
      for (std::size_t n = 0; n < kBatch && !c.done(); ++n, c.next()) {
        round.push_back(&c.entry());
        states.push_back(c.entry().state->get());
      }
      exhausted = exhausted || c.done();  // one list read to its end has shown every host
    }
    walk.judge(states);
    for (const RankEntry* e : round) {
      const sdk::HostState* h = e->state->get();
      if (!seen.emplace(h, true).second || !walk.passes(h)) continue;
      ++out.passed;
      ready.push(Seen{h, e->key, e->state, walk.weight(*h)});
    }
    // No host not yet seen can weigh more than the current positions would.
    double bound = 0.0;
    if (!exhausted) {
      std::size_t next = 0;
      for (std::size_t i = 0; i < weighers.size(); ++i) {
        double norm = 0.0;
        if (next < cursors.size() && cursors[next].weigher == i) {
          norm = walk.norm(i, cursors[next].entry().raw);
          ++next;
        }
        bound += weighers[i].multiplier * norm;
      }
    }
    while (!ready.empty() && out.hosts.size() < wanted && (exhausted || ready.top().weight >= bound)) {
      add(out, *ready.top().owner, ready.top().weight);
      ready.pop();
    }
    if (out.hosts.size() >= wanted || exhausted) {
      out.complete = exhausted && ready.empty();
      break;
    }
  }
  out.examined = walk.examined();
  return out;
}

}  // namespace stratus::core::scheduler
