// msgpack adaptors for the SDK's value types, so the services can send them
// over RPC as they are.
//
// The SDK depends on nothing, so its structs carry no MSGPACK_DEFINE; these
// non-intrusive adaptors give each one the positional-array encoding the
// RPC protocol uses (docs/rpc-protocol.md, "Versioning payloads"): fields in
// declaration order, new fields only ever appended, a shorter array leaves
// the missing trailing fields at their defaults.
//
// Each adaptor must list every member of its struct: the build fails
// (static_assert in the macro) when a field is added to an SDK struct but not
// here, counted by core/plugin/value_layout.h's field_count.
#pragma once

#include <tuple>

#include <msgpack.hpp>

#include "core/plugin/value_layout.h"

#include "stratus/sdk/block_device_info.h"
#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/flavor.h"
#include "stratus/sdk/host_resources.h"
#include "stratus/sdk/host_state.h"
#include "stratus/sdk/image_meta.h"
#include "stratus/sdk/instance.h"
#include "stratus/sdk/network_info.h"
#include "stratus/sdk/power_state.h"
#include "stratus/sdk/request_spec.h"

// Defines pack and convert for TYPE as the array of the listed members of `v`.
#define STRATUS_MSGPACK_ADAPT(TYPE, ...)                                                          \
  namespace msgpack {                                                                             \
  MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {                                         \
    namespace adaptor {                                                                           \
    template <>                                                                                   \
    struct convert<TYPE> {                                                                        \
      const msgpack::object& operator()(const msgpack::object& o, TYPE& v) const {                \
        static_assert(std::tuple_size_v<decltype(std::tie(__VA_ARGS__))> ==                       \
                          ::stratus::core::layout::field_count<TYPE>(),                           \
                      "the msgpack adaptor of " #TYPE " does not list every member");             \
        msgpack::type::make_define_array(__VA_ARGS__).msgpack_unpack(o);                          \
        return o;                                                                                 \
      }                                                                                           \
    };                                                                                            \
    template <>                                                                                   \
    struct pack<TYPE> {                                                                           \
      template <typename Stream>                                                                  \
      msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& p, const TYPE& v) const {      \
        msgpack::type::make_define_array(__VA_ARGS__).msgpack_pack(p);                            \
        return p;                                                                                 \
      }                                                                                           \
    };                                                                                            \
    }                                                                                             \
  }                                                                                               \
  }

MSGPACK_ADD_ENUM(stratus::sdk::PowerState);

STRATUS_MSGPACK_ADAPT(stratus::sdk::Flavor, v.id, v.name, v.vcpus, v.memory_mb, v.root_gb, v.ephemeral_gb,
                      v.swap_mb, v.rxtx_factor, v.is_public, v.extra_specs)
STRATUS_MSGPACK_ADAPT(stratus::sdk::ImageMeta, v.id, v.name, v.disk_format, v.container_format, v.checksum,
                      v.size_bytes, v.min_ram_mb, v.min_disk_gb, v.properties)
STRATUS_MSGPACK_ADAPT(stratus::sdk::Instance, v.uuid, v.name, v.display_name, v.project_id, v.user_id, v.host,
                      v.node, v.availability_zone, v.image_ref, v.flavor, v.metadata, v.user_data, v.key_name,
                      v.key_data, v.config_drive, v.power_state)
STRATUS_MSGPACK_ADAPT(stratus::sdk::Vif, v.id, v.address, v.network_id, v.network_name, v.bridge, v.type,
                      v.fixed_ips, v.mtu)
STRATUS_MSGPACK_ADAPT(stratus::sdk::EphemeralDisk, v.device_name, v.size_gb, v.guest_format)
STRATUS_MSGPACK_ADAPT(stratus::sdk::SwapDisk, v.device_name, v.size_mb)
STRATUS_MSGPACK_ADAPT(stratus::sdk::VolumeAttachment, v.device_name, v.volume_id, v.boot_index, v.connection_info)
STRATUS_MSGPACK_ADAPT(stratus::sdk::BlockDeviceInfo, v.root_device_name, v.ephemerals, v.swap, v.volumes)
STRATUS_MSGPACK_ADAPT(stratus::sdk::InstanceGroup, v.uuid, v.name, v.policy, v.members, v.hosts,
                      v.max_server_per_host)
STRATUS_MSGPACK_ADAPT(stratus::sdk::RequestSpec, v.instance_uuid, v.project_id, v.user_id, v.flavor, v.image,
                      v.num_instances, v.availability_zone, v.scheduler_hints, v.instance_group, v.force_hosts,
                      v.ignore_hosts)
STRATUS_MSGPACK_ADAPT(stratus::sdk::SupportedInstance, v.arch, v.hv_type, v.vm_mode)
STRATUS_MSGPACK_ADAPT(stratus::sdk::HostResources, v.hypervisor_hostname, v.hypervisor_type, v.hypervisor_version,
                      v.cpu_arch, v.cpu_info, v.vcpus, v.vcpus_used, v.memory_mb, v.memory_mb_used, v.local_gb,
                      v.local_gb_used, v.disk_available_least_gb, v.running_vms, v.supported_instances)
STRATUS_MSGPACK_ADAPT(stratus::sdk::DriverCapabilities, v.supports_reboot, v.supports_power_off, v.supports_pause,
                      v.supports_suspend, v.supports_rebuild, v.supports_console_output, v.supports_config_drive,
                      v.supports_direct_kernel_boot, v.supported_image_formats)
STRATUS_MSGPACK_ADAPT(stratus::sdk::Aggregate, v.name, v.metadata)
