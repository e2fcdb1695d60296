// service_binary_name: the names the Compute API gives Stratus's services.
//
// Stratus's services register as stratus-compute, stratus-scheduler and
// stratus-conductor (core/rpcapi/topics.h; that is what the services table
// keeps). OpenStack clients and older microversions know them by Nova's
// names: `openstack compute service list --service nova-compute`, PUT
// /os-services/disable {"binary": "nova-compute"}, Tempest's filter by
// binary. So the API shows Nova's names (os-services, the hosts of
// os-availability-zone detail) and takes either name wherever a request
// names a binary (?binary=, request bodies).
#pragma once

#include <string>
#include <string_view>

namespace stratus::core::api {

// Nova's name for a stored binary ("stratus-compute" -> "nova-compute"); a
// binary Nova has no name for is shown as stored.
std::string api_binary_name(std::string_view stored);

// The stored binary a request means: Nova's name or Stratus's for one of the
// three services gives Stratus's ("nova-compute" -> "stratus-compute");
// anything else as given (it then matches no service).
std::string stored_binary_name(std::string_view requested);

}  // namespace stratus::core::api
