// RecordingImageService: the image API as a compute host uses it (PUT
// .../file, DELETE, GET /v2/images with property filters), on loopback,
// recording what the host uploads and deletes; and the fixture of the tests
// that snapshot through it (createImage, createBackup, shelve).
#pragma once

#include <gtest/gtest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "compute_test_support.h"
#include "core/compute/image_uploader.h"

namespace stratus::core::compute::testing {

class RecordingImageService {
 public:
  // An image the listing knows; `created_at` orders it.
  struct Listed {
    std::string id;
    std::string created_at;
    std::map<std::string, std::string> properties;
  };

  RecordingImageService() {
    server_.Put(R"(/image/v2/images/([^/]+)/file)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      uploads_[req.matches[1]] = req.body;
      res.status = 204;
    });
    server_.Delete(R"(/image/v2/images/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      const std::string id = req.matches[1];
      if (std::find(undeletable_.begin(), undeletable_.end(), id) != undeletable_.end()) {
        res.status = 403;  // Glance's answer for a protected image
        return;
      }
      deleted_.push_back(id);
      listed_.erase(std::remove_if(listed_.begin(), listed_.end(), [&](const Listed& l) { return l.id == id; }),
                    listed_.end());
      res.status = 204;
    });
    // Glance's listing: every query parameter but paging and sorting is a
    // property filter; newest first; `page_size` images a page, with a next
    // link while more remain.
    server_.Get("/image/v2/images", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      queries_.push_back(req.params);
      if (list_status_ != 200) {
        res.status = list_status_;
        return;
      }
      std::vector<Listed> found;
      for (const Listed& l : listed_) {
        bool match = true;
        for (const auto& [k, v] : req.params) {
          if (k == "sort_key" || k == "sort_dir" || k == "limit" || k == "marker") continue;
          auto it = l.properties.find(k);
          match = match && it != l.properties.end() && it->second == v;
        }
        if (match) found.push_back(l);
      }
      std::sort(found.begin(), found.end(), [](const Listed& a, const Listed& b) { return a.created_at > b.created_at; });
      std::size_t start = 0;
      if (req.has_param("marker")) {
        while (start < found.size() && found[start].id != req.get_param_value("marker")) ++start;
        ++start;
      }
      nlohmann::json images = nlohmann::json::array();
      std::size_t i = start;
      for (; i < found.size() && images.size() < page_size_; ++i) images.push_back({{"id", found[i].id}});
      nlohmann::json out = {{"images", images}};
      if (i < found.size()) out["next"] = "/v2/images?marker=" + found[i - 1].id;
      res.set_content(out.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~RecordingImageService() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/image"; }
  std::optional<std::string> upload(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = uploads_.find(id);
    if (it == uploads_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> deleted() const {
    std::lock_guard lock(mutex_);
    return deleted_;
  }
  void add_listed(Listed l) {
    std::lock_guard lock(mutex_);
    listed_.push_back(std::move(l));
  }
  std::vector<httplib::Params> queries() const {
    std::lock_guard lock(mutex_);
    return queries_;
  }
  void refuse_delete(const std::string& id) {
    std::lock_guard lock(mutex_);
    undeletable_.push_back(id);
  }
  void set_list_status(int status) {
    std::lock_guard lock(mutex_);
    list_status_ = status;
  }
  void set_page_size(std::size_t n) {
    std::lock_guard lock(mutex_);
    page_size_ = n;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> uploads_;
  std::vector<std::string> deleted_;
  std::vector<Listed> listed_;
  std::vector<httplib::Params> queries_;
  std::vector<std::string> undeletable_;
  int list_status_ = 200;
  std::size_t page_size_ = 1000;
};

class ImageServiceComputeTest : public ComputeTest {
 protected:
  ComputeOptions options(std::chrono::milliseconds offload_time = std::chrono::milliseconds(0),
                         std::uint32_t abi = sdk::kAbiVersion) {
    ComputeOptions o = quiet_options();
    o.shelved_offload_time = offload_time;
    o.driver_abi_version = abi;
    ImageFetcherOptions io;
    io.image_api_url = [url = images_.url()] { return url; };
    io.timeout = std::chrono::seconds(5);
    o.image_uploader = std::make_shared<const ImageUploader>(io);
    o.snapshot_directory = ::testing::TempDir();
    return o;
  }
  static sdk::ImageMeta snapshot_image(const std::string& id) {
    sdk::ImageMeta m;
    m.id = id;
    m.name = "server-shelved";
    m.disk_format = "raw";
    m.container_format = "bare";
    return m;
  }
  bool went_through(const std::string& uuid, const std::string& task) const {
    for (const auto& step : fake_.history(uuid)) {
      if (step.task_state == task) return true;
    }
    return false;
  }
  bool deleted(const std::string& image_id) const {
    const auto d = images_.deleted();
    return std::find(d.begin(), d.end(), image_id) != d.end();
  }
  RecordingImageService images_;
};

}  // namespace stratus::core::compute::testing
