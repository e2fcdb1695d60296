// ImageRepository: the images the cloud knows (Glance's records; the API's
// image proxy serves them). Image data itself is not stored here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/db/database.h"
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
  std::string checksum;
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
  explicit ImageRepository(Database& db) : db_(db) {}

  // kAlreadyExists for an id in use.
  sdk::Result<ImageRecord> create(ImageRecord record);
  sdk::Result<ImageRecord> get(const std::string& id);
  // By name, then id.
  sdk::Result<std::vector<ImageRecord>> list();
  sdk::Status set_status(const std::string& id, const std::string& status);
  // Merges properties.
  sdk::Status set_properties(const std::string& id, const std::map<std::string, std::string>& properties);
  sdk::Status remove(const std::string& id);

 private:
  Database& db_;
};

}  // namespace stratus::core::db
