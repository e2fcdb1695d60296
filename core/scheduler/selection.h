// Selection: where the scheduler put one instance, and where to try next.
#pragma once

#include <string>
#include <vector>

namespace stratus::core::scheduler {

// One compute node: the service host and the hypervisor node on it.
struct Destination {
  std::string host;
  std::string nodename;

  friend bool operator==(const Destination&, const Destination&) = default;
};

// Nova's Selection: the claimed destination of one instance plus alternates.
// The chosen destination is already claimed (Claimer::claim succeeded);
// alternates are not: whoever reschedules to one claims it first.
struct Selection {
  std::string instance_uuid;
  Destination destination;
  double weight = 0.0;  // the winning host's total weight, for logs
  // Best first; never the chosen host; at most max_attempts - 1 entries.
  std::vector<Destination> alternates;
};

}  // namespace stratus::core::scheduler
