// A Nova-sized build_and_run_instance message (about 6 KB encoded), declared
// twice: as positional arrays (what Stratus uses) and as string-keyed maps (what
// oslo.messaging's JSON-ish dicts look like), to price the codec.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <msgpack.hpp>

namespace stratus::bench {

#define STRATUS_BENCH_NOVA_TYPES(S, DEFINE)                                                                        \
  struct Flavor##S {                                                                                               \
    std::string flavorid, name;                                                                                    \
    std::int32_t memory_mb = 0, vcpus = 0, root_gb = 0, ephemeral_gb = 0, swap = 0;                               \
    double rxtx_factor = 1.0;                                                                                      \
    bool is_public = true;                                                                                         \
    std::map<std::string, std::string> extra_specs;                                                                \
    DEFINE(flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, is_public, extra_specs)     \
  };                                                                                                               \
  struct Instance##S {                                                                                             \
    std::string uuid, name, hostname, host, node, image_ref, kernel_id, ramdisk_id, vm_state, task_state;          \
    std::int32_t power_state = 0;                                                                                  \
    std::string user_id, project_id, availability_zone, launched_on, os_type, architecture, vm_mode,               \
        reservation_id, key_name, key_data, config_drive, display_name, display_description, locked_by,            \
        created_at, updated_at, launched_at;                                                                       \
    std::int64_t id = 0, launch_index = 0, root_gb = 0, memory_mb = 0, vcpus = 0;                                  \
    bool locked = false, cleaned = false;                                                                          \
    Flavor##S flavor;                                                                                              \
    std::map<std::string, std::string> metadata, system_metadata;                                                  \
    std::vector<std::string> tags;                                                                                 \
    DEFINE(uuid, name, hostname, host, node, image_ref, kernel_id, ramdisk_id, vm_state, task_state, power_state,  \
           user_id, project_id, availability_zone, launched_on, os_type, architecture, vm_mode, reservation_id,    \
           key_name, key_data, config_drive, display_name, display_description, locked_by, created_at, updated_at, \
           launched_at, id, launch_index, root_gb, memory_mb, vcpus, locked, cleaned, flavor, metadata,            \
           system_metadata, tags)                                                                                  \
  };                                                                                                               \
  struct ImageMeta##S {                                                                                            \
    std::string id, name, status, container_format, disk_format, checksum, owner, created_at;                     \
    std::int64_t size = 0, min_ram = 0, min_disk = 0;                                                              \
    std::map<std::string, std::string> properties;                                                                 \
    DEFINE(id, name, status, container_format, disk_format, checksum, owner, created_at, size, min_ram, min_disk,  \
           properties)                                                                                             \
  };                                                                                                               \
  struct RequestedNetwork##S {                                                                                     \
    std::string network_id, address, port_id, tag;                                                                 \
    DEFINE(network_id, address, port_id, tag)                                                                      \
  };                                                                                                               \
  struct BlockDevice##S {                                                                                          \
    std::string source_type, destination_type, device_name, uuid, guest_format, disk_bus, device_type;            \
    std::int64_t boot_index = 0, volume_size = 0;                                                                  \
    bool delete_on_termination = true;                                                                             \
    DEFINE(source_type, destination_type, device_name, uuid, guest_format, disk_bus, device_type, boot_index,     \
           volume_size, delete_on_termination)                                                                     \
  };                                                                                                               \
  struct RequestSpec##S {                                                                                          \
    std::string instance_uuid, project_id, user_id, availability_zone, instance_group;                            \
    std::int32_t num_instances = 1;                                                                                \
    Flavor##S flavor;                                                                                              \
    ImageMeta##S image;                                                                                            \
    std::map<std::string, std::string> scheduler_hints;                                                            \
    std::vector<std::string> ignore_hosts, force_hosts, force_nodes;                                               \
    DEFINE(instance_uuid, project_id, user_id, availability_zone, instance_group, num_instances, flavor, image,    \
           scheduler_hints, ignore_hosts, force_hosts, force_nodes)                                                \
  };                                                                                                               \
  struct BuildAndRunInstance##S {                                                                                  \
    Instance##S instance;                                                                                          \
    ImageMeta##S image;                                                                                            \
    RequestSpec##S request_spec;                                                                                   \
    std::map<std::string, std::string> filter_properties;                                                          \
    std::string admin_password;                                                                                    \
    std::vector<std::string> injected_files;                                                                       \
    std::vector<RequestedNetwork##S> requested_networks;                                                           \
    std::vector<std::string> security_groups;                                                                      \
    std::vector<BlockDevice##S> block_device_mapping;                                                              \
    std::string node;                                                                                              \
    std::int32_t limits_memory_mb = 0, limits_disk_gb = 0;                                                         \
    DEFINE(instance, image, request_spec, filter_properties, admin_password, injected_files, requested_networks,  \
           security_groups, block_device_mapping, node, limits_memory_mb, limits_disk_gb)                          \
  };

STRATUS_BENCH_NOVA_TYPES(Arr, MSGPACK_DEFINE)
STRATUS_BENCH_NOVA_TYPES(Map, MSGPACK_DEFINE_MAP)

// Fills a message of about 6 KB with plausible values.
template <class Msg>
Msg make_nova_message() {
  Msg m;
  auto& i = m.instance;
  i.uuid = "4f0e6f2c-7d43-4b44-9b3a-8c1e2d3f4a5b";
  i.name = "instance-0000a1b2";
  i.hostname = "web-frontend-01";
  i.host = "compute-17.rack4.dc1.example.com";
  i.node = i.host;
  i.image_ref = "9d1b6c3e-2f4a-4e5b-8c7d-1a2b3c4d5e6f";
  i.kernel_id = "";
  i.ramdisk_id = "";
  i.vm_state = "building";
  i.task_state = "spawning";
  i.user_id = "8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d";
  i.project_id = "1f2e3d4c5b6a79880716253443526170";
  i.availability_zone = "nova";
  i.launched_on = i.host;
  i.os_type = "linux";
  i.architecture = "x86_64";
  i.vm_mode = "hvm";
  i.reservation_id = "r-3k9d8f7g";
  i.key_name = "ops-key";
  i.key_data = "ssh-ed25519 " + std::string(68, 'A') + " ops@bastion";
  i.config_drive = "";
  i.display_name = "web-frontend-01";
  i.display_description = "frontend web server for the storefront";
  i.created_at = "2026-11-26T05:51:27.000000";
  i.updated_at = i.created_at;
  i.launched_at = "";
  i.id = 41394;
  i.root_gb = 20;
  i.memory_mb = 4096;
  i.vcpus = 2;
  auto& f = i.flavor;
  f.flavorid = "3";
  f.name = "m1.medium";
  f.memory_mb = 4096;
  f.vcpus = 2;
  f.root_gb = 40;
  f.extra_specs = {{"hw:cpu_policy", "dedicated"}, {"hw:mem_page_size", "large"}, {"quota:disk_read_iops_sec", "5000"}};
  for (int k = 0; k < 12; ++k) i.metadata["meta_key_" + std::to_string(k)] = "metadata-value-" + std::to_string(k * 7919);
  const char* sys[] = {"image_base_image_ref", "image_container_format", "image_disk_format", "image_min_disk",
                       "image_min_ram", "image_os_distro", "image_os_version", "image_hw_disk_bus",
                       "image_hw_vif_model", "image_hw_qemu_guest_agent", "owner_user_name", "owner_project_name",
                       "boot_roles", "image_signature_verified", "network_allocated", "clean_attempts"};
  for (const char* k : sys) i.system_metadata[k] = std::string("sysmeta-value-for-") + k;
  i.tags = {"web", "production", "storefront", "team-a"};
  auto& im = m.image;
  im.id = i.image_ref;
  im.name = "debian-12-genericcloud-amd64-20261101";
  im.status = "active";
  im.container_format = "bare";
  im.disk_format = "qcow2";
  im.checksum = "d41d8cd98f00b204e9800998ecf8427e";
  im.owner = i.project_id;
  im.created_at = "2026-11-01T00:00:00Z";
  im.size = 348127232;
  im.min_disk = 2;
  for (int k = 0; k < 24; ++k) im.properties["property_" + std::to_string(k)] = "image-property-value-" + std::to_string(k);
  auto& rs = m.request_spec;
  rs.instance_uuid = i.uuid;
  rs.project_id = i.project_id;
  rs.user_id = i.user_id;
  rs.availability_zone = "nova";
  rs.flavor = f;
  rs.image = im;
  rs.scheduler_hints = {{"group", "a1b2c3d4-e5f6-4a5b-8c7d-9e8f7a6b5c4d"}, {"same_host", ""}};
  rs.ignore_hosts = {"compute-3.rack1.dc1.example.com"};
  m.filter_properties = {{"retry_num_attempts", "1"}, {"retry_hosts", "[]"}, {"scheduler_hints", "{}"},
                         {"instance_type", "m1.medium"}, {"limits_vcpu", "32"}};
  m.admin_password = "";
  m.injected_files = {std::string(512, 'F')};
  for (int k = 0; k < 3; ++k) {
    m.requested_networks.push_back({"net-" + std::to_string(k) + "-6c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
                                    "10.0." + std::to_string(k) + ".15", "port-" + std::to_string(k) + "-0a1b2c3d", ""});
  }
  m.security_groups = {"default", "web"};
  m.block_device_mapping.push_back({"image", "local", "/dev/vda", im.id, "", "virtio", "disk", 0, 40, true});
  m.block_device_mapping.push_back({"blank", "local", "/dev/vdb", "", "ext4", "virtio", "disk", -1, 10, true});
  m.node = i.host;
  m.limits_memory_mb = 262144;
  m.limits_disk_gb = 4000;
  return m;
}

}  // namespace stratus::bench
