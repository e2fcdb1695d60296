#include "core/db/image_repository.h"

#include "core/plugin/value_layout.h"
#include "core/common/ids.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

// to_sdk sets every member of sdk::ImageMeta: when the SDK struct gains one,
// this fails until it is set here (and stored, if the database keeps it).
static_assert(core::layout::field_count<sdk::ImageMeta>() == 9, "sdk::ImageMeta changed: update ImageRecord::to_sdk");

sdk::ImageMeta ImageRecord::to_sdk() const {
  sdk::ImageMeta m;
  m.id = id;
  m.name = name;
  m.disk_format = disk_format;
  m.container_format = container_format;
  m.checksum = checksum;
  m.size_bytes = size;
  m.min_ram_mb = min_ram;
  m.min_disk_gb = min_disk;
  m.properties = properties;
  return m;
}

namespace {

Result<std::vector<ImageRecord>> query(Connection& c, const std::string& purpose, const std::string& where,
                                       const std::optional<std::string>& id) {
  auto st = c.prepare(purpose,
                      "SELECT id, name, status, visibility, disk_format, container_format, size, checksum, min_ram, "
                      "min_disk, owner, created_at, updated_at, protected, os_hash_algo, os_hash_value FROM images " + where);
  if (!st.ok()) return st.status();
  if (id) st->bind(1, *id);
  std::vector<ImageRecord> out;
  auto s = st->for_each([&](Statement& r) {
    ImageRecord i;
    i.id = r.text(0);
    i.name = r.text(1);
    i.status = r.text(2);
    i.visibility = r.text(3);
    i.disk_format = r.text(4);
    i.container_format = r.text(5);
    i.size = r.int64(6);
    i.checksum = r.text(7);
    i.min_ram = r.int64(8);
    i.min_disk = r.int64(9);
    i.owner = r.text(10);
    i.created_at = r.text(11);
    i.updated_at = r.text(12);
    i.is_protected = r.boolean(13);
    i.os_hash_algo = r.text(14);
    i.os_hash_value = r.text(15);
    out.push_back(std::move(i));
  });
  if (!s.ok()) return s;
  for (auto& i : out) {
    auto p = c.prepare("read properties of image " + i.id, "SELECT key, value FROM image_properties WHERE image_id = ?");
    if (!p.ok()) return p.status();
    p->bind_all(i.id);
    s = p->for_each([&](Statement& r) { i.properties[r.text(0)] = r.text(1); });
    if (!s.ok()) return s;
    auto t = c.prepare("read tags of image " + i.id, "SELECT tag FROM image_tags WHERE image_id = ? ORDER BY tag");
    if (!t.ok()) return t.status();
    t->bind_all(i.id);
    s = t->for_each([&](Statement& r) { i.tags.push_back(r.text(0)); });
    if (!s.ok()) return s;
  }
  return out;
}

Result<ImageRecord> get_locked(Connection& c, const std::string& id) {
  auto rows = query(c, "read image " + id, "WHERE id = ?", id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("image " + id + " could not be found");
  return std::move(rows->front());
}

Status write_properties(Connection& c, const std::string& id, const std::map<std::string, std::string>& props) {
  for (const auto& [k, v] : props) {
    auto st = c.exec("set property " + k + " of image " + id,
                     "INSERT INTO image_properties(image_id, key, value) VALUES (?, ?, ?) "
                     "ON CONFLICT(image_id, key) DO UPDATE SET value = excluded.value",
                     id, k, v);
    if (!st.ok()) return st;
  }
  return Status::OK();
}

Status write_tags(Connection& c, const std::string& id, const std::vector<std::string>& tags) {
  for (const auto& tag : tags) {
    auto st = c.exec("tag image " + id, "INSERT INTO image_tags(image_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING", id, tag);
    if (!st.ok()) return st;
  }
  return Status::OK();
}

}  // namespace

Result<ImageRecord> ImageRepository::create(ImageRecord rec) {
  if (rec.id.empty()) rec.id = common::random_uuid();
  return db_.write("create image", [&](Connection& c) -> Result<ImageRecord> {
    std::string now = common::utc_now();
    auto st = c.exec("insert image " + rec.id,
                     "INSERT INTO images(id, name, status, visibility, disk_format, container_format, size, checksum, "
                     "min_ram, min_disk, owner, created_at, updated_at, protected, os_hash_algo, os_hash_value) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     rec.id, rec.name, rec.status, rec.visibility, rec.disk_format, rec.container_format, rec.size,
                     rec.checksum, rec.min_ram, rec.min_disk, rec.owner, now, now, rec.is_protected, rec.os_hash_algo,
                     rec.os_hash_value);
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("image " + rec.id + " already exists");
    if (!st.ok()) return st;
    st = write_properties(c, rec.id, rec.properties);
    if (!st.ok()) return st;
    st = write_tags(c, rec.id, rec.tags);
    if (!st.ok()) return st;
    return get_locked(c, rec.id);
  });
}

Result<ImageRecord> ImageRepository::get(const std::string& id) {
  return db_.read("read image", [&](Connection& c) { return get_locked(c, id); });
}

Result<std::vector<ImageRecord>> ImageRepository::list() {
  return db_.read("list images", [&](Connection& c) { return query(c, "list images", "ORDER BY name, id", {}); });
}

Status ImageRepository::set_status(const std::string& id, const std::string& status) {
  return db_.write("set image status", [&](Connection& c) -> Status {
    auto st = c.exec("set status of image " + id, "UPDATE images SET status = ?, updated_at = ? WHERE id = ?", status,
                     common::utc_now(), id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("image " + id + " could not be found");
    return Status::OK();
  });
}

Status ImageRepository::set_properties(const std::string& id, const std::map<std::string, std::string>& props) {
  return db_.write("set image properties", [&](Connection& c) -> Status {
    auto st = c.exec("touch image " + id, "UPDATE images SET updated_at = ? WHERE id = ?", common::utc_now(), id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("image " + id + " could not be found");
    return write_properties(c, id, props);
  });
}

Result<ImageRecord> ImageRepository::update(const ImageRecord& rec) {
  return db_.write("update image", [&](Connection& c) -> Result<ImageRecord> {
    auto st = c.exec("update image " + rec.id,
                     "UPDATE images SET name = ?, visibility = ?, min_ram = ?, min_disk = ?, protected = ?, "
                     "disk_format = ?, container_format = ?, updated_at = ? WHERE id = ?",
                     rec.name, rec.visibility, rec.min_ram, rec.min_disk, rec.is_protected, rec.disk_format,
                     rec.container_format, common::utc_now(), rec.id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("image " + rec.id + " could not be found");
    st = c.exec("clear properties of image " + rec.id, "DELETE FROM image_properties WHERE image_id = ?", rec.id);
    if (st.ok()) st = write_properties(c, rec.id, rec.properties);
    if (st.ok()) st = c.exec("clear tags of image " + rec.id, "DELETE FROM image_tags WHERE image_id = ?", rec.id);
    if (st.ok()) st = write_tags(c, rec.id, rec.tags);
    if (!st.ok()) return st;
    return get_locked(c, rec.id);
  });
}

Status ImageRepository::transition(const std::string& id, const std::string& from, const std::string& to) {
  return db_.write("change image status", [&](Connection& c) -> Status {
    auto current = get_locked(c, id);
    if (!current.ok()) return current.status();
    if (current->status != from) {
      return Status::Conflict("image " + id + " is " + current->status + ", not " + from);
    }
    return c.exec("set status of image " + id, "UPDATE images SET status = ?, updated_at = ? WHERE id = ?", to,
                  common::utc_now(), id);
  });
}

Status ImageRepository::set_data(const std::string& id, std::int64_t size, const std::string& checksum,
                                 const std::string& os_hash_algo, const std::string& os_hash_value) {
  return db_.write("record image data", [&](Connection& c) -> Status {
    auto st = c.exec("record data of image " + id,
                     "UPDATE images SET status = 'active', size = ?, checksum = ?, os_hash_algo = ?, "
                     "os_hash_value = ?, updated_at = ? WHERE id = ? AND status = 'saving'",
                     size, checksum, os_hash_algo, os_hash_value, common::utc_now(), id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::Conflict("image " + id + " is no longer saving");
    return Status::OK();
  });
}

Status ImageRepository::remove(const std::string& id) {
  return db_.write("delete image", [&](Connection& c) -> Status {
    auto st = c.exec("delete image " + id, "DELETE FROM images WHERE id = ?", id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("image " + id + " could not be found");
    return Status::OK();
  });
}

}  // namespace stratus::core::db
