// ImageRepository: the images the cloud knows (Glance's records; the image
// service and Nova's image proxy serve them). Image data itself is not stored
// here but in the image store (core/image/image_store.h), one file per id.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/image_meta.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct ImageRecord {
  std::string id;                 // uuid; empty on create: one is generated
  std::string name;
  std::string status = "active";  // Glance: queued, saving, active, killed, deleted
  std::string visibility = "public";
  std::string disk_format;
  std::string container_format;
  std::int64_t size = 0;          // bytes
  std::string checksum;            // md5 hex of the data; "" until uploaded
  std::string os_hash_algo;        // "sha512" once uploaded
  std::string os_hash_value;       // its hex digest
  bool is_protected = false;       // Glance's "protected": no delete while set
  std::vector<std::string> tags;   // sorted, no duplicates
  std::int64_t min_ram = 0;       // MB
  std::int64_t min_disk = 0;      // GB
  std::string owner;              // project id
  std::map<std::string, std::string> properties;
  std::string created_at;
  std::string updated_at;

  sdk::ImageMeta to_sdk() const;
};

class ImageRepository {
 public:
  explicit ImageRepository(Scope db) : db_(db) {}

  // kAlreadyExists for an id in use.
  sdk::Result<ImageRecord> create(ImageRecord record);
  sdk::Result<ImageRecord> get(const std::string& id);
  // By name, then id.
  sdk::Result<std::vector<ImageRecord>> list();
  sdk::Status set_status(const std::string& id, const std::string& status);
  // Merges properties.
  sdk::Status set_properties(const std::string& id, const std::map<std::string, std::string>& properties);
  // Writes the user-editable fields of `record` (name, visibility, min_ram,
  // min_disk, protected, disk_format, container_format, tags, properties: tags and properties replaced as a
  // whole) and touches updated_at. kNotFound if the image is gone.
  sdk::Result<ImageRecord> update(const ImageRecord& record);
  // Moves the image from status `from` to `to` in one step; kConflict naming
  // the current status when it is not `from` (two uploads at once: one wins).
  sdk::Status transition(const std::string& id, const std::string& from, const std::string& to);
  // An upload finished: records its size and hashes and makes the image
  // active, from "saving" only (kConflict otherwise).
  sdk::Status set_data(const std::string& id, std::int64_t size, const std::string& checksum,
                       const std::string& os_hash_algo, const std::string& os_hash_value);
  sdk::Status remove(const std::string& id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
