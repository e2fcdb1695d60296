#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/db/instance_repository.h"
#include "core/common/time_util.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

class DbInstanceListing : public testing::DbTest {
 protected:
  void SetUp() override {
    add("web-1", "p1", "h1", "1", "img-a");
    add("web-2", "p1", "h2", "2", "img-a");
    add("db-1", "p1", "h1", "2", "img-b");
    add("other", "p2", "h2", "1", "img-a");
    add("web-3", "p2", "h1", "1", "img-b");
  }
  void add(const std::string& name, const std::string& project, const std::string& host, const std::string& flavor,
           const std::string& image) {
    InstanceRecord r;
    r.display_name = name;
    r.project_id = project;
    r.user_id = "u";
    r.host = host;
    r.flavor.id = flavor;
    r.flavor.vcpus = 1;
    r.flavor.memory_mb = 64;
    r.image_ref = image;
    auto c = repo_.create({r}, {.enforce = false});
    ASSERT_TRUE(c.ok()) << c.status();
    uuids_[name] = c->front().uuid;
  }
  std::vector<std::string> names(const InstanceFilter& f, const InstanceListOptions& o = {}) {
    auto r = repo_.list(f, o);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok()) for (auto& i : *r) out.push_back(i.display_name);
    return out;
  }
  static InstanceListOptions by_name(bool asc = true) {
    InstanceListOptions o;
    o.sort = {{InstanceSortKey::kDisplayName, asc}};
    return o;
  }
  InstanceRepository repo_{*db_};
  std::map<std::string, std::string> uuids_;
};

using Names = std::vector<std::string>;

TEST_F(DbInstanceListing, DefaultOrderIsNewestFirst) {
  EXPECT_EQ(names({}), (Names{"web-3", "other", "db-1", "web-2", "web-1"}));
}

TEST_F(DbInstanceListing, FiltersByProjectHostFlavorImage) {
  InstanceFilter f;
  f.project_id = "p1";
  EXPECT_EQ(names(f, by_name()), (Names{"db-1", "web-1", "web-2"}));
  f.host = "h1";
  EXPECT_EQ(names(f, by_name()), (Names{"db-1", "web-1"}));
  InstanceFilter g;
  g.flavor_id = "1";
  g.image_ref = "img-a";
  EXPECT_EQ(names(g, by_name()), (Names{"other", "web-1"}));
}

TEST_F(DbInstanceListing, FiltersByVmState) {
  InstanceUpdate u;
  u.vm_state = "active";
  ASSERT_TRUE(repo_.update(uuids_["web-2"], u).ok());
  InstanceFilter f;
  f.vm_states = {"active"};
  EXPECT_EQ(names(f), (Names{"web-2"}));
  f.vm_states = {"active", "building"};
  EXPECT_EQ(names(f).size(), 5u);
}

TEST_F(DbInstanceListing, NameIsARegexSearch) {
  InstanceFilter f;
  f.name_regex = "^web-[12]$";
  EXPECT_EQ(names(f, by_name()), (Names{"web-1", "web-2"}));
  f.name_regex = "b-";  // search, not match: anywhere in the name
  EXPECT_EQ(names(f, by_name()), (Names{"db-1", "web-1", "web-2", "web-3"}));
}

TEST_F(DbInstanceListing, BadRegexIsInvalidArgumentNamingThePattern) {
  InstanceFilter f;
  f.name_regex = "web-(";
  auto r = repo_.list(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("web-("), std::string::npos) << r.status();
}

TEST_F(DbInstanceListing, ChangesSinceUsesUpdatedAtAndIncludesDeletedWhenAsked) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::string before = common::utc_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  InstanceUpdate u;
  u.vm_state = "active";
  ASSERT_TRUE(repo_.update(uuids_["db-1"], u).ok());
  ASSERT_TRUE(repo_.destroy(uuids_["other"]).ok());
  InstanceFilter f;
  f.changes_since = common::to_api_seconds(before).substr(0, 19) + "." + before.substr(20) + "Z";
  f.deleted = DeletedFilter::kInclude;
  EXPECT_EQ(names(f, by_name()), (Names{"db-1", "other"}));
  f.changes_since = "not a time";
  auto bad = repo_.list(f);
  EXPECT_EQ(bad.status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("changes-since"), std::string::npos);
}

TEST_F(DbInstanceListing, DeletedFilter) {
  ASSERT_TRUE(repo_.destroy(uuids_["web-1"]).ok());
  InstanceFilter f;
  EXPECT_EQ(names(f).size(), 4u);
  f.deleted = DeletedFilter::kOnly;
  EXPECT_EQ(names(f), (Names{"web-1"}));
  f.deleted = DeletedFilter::kInclude;
  EXPECT_EQ(names(f).size(), 5u);
}

TEST_F(DbInstanceListing, SortsByOneOrMoreKeys) {
  EXPECT_EQ(names({}, by_name(false)), (Names{"web-3", "web-2", "web-1", "other", "db-1"}));
  InstanceListOptions o;
  o.sort = {{InstanceSortKey::kHost, true}, {InstanceSortKey::kDisplayName, false}};
  EXPECT_EQ(names({}, o), (Names{"web-3", "web-1", "db-1", "web-2", "other"}));
  EXPECT_EQ(*parse_instance_sort_key("display_name"), InstanceSortKey::kDisplayName);
  EXPECT_EQ(parse_instance_sort_key("password").status().code(), sdk::StatusCode::kInvalidArgument);
}

TEST_F(DbInstanceListing, LimitAndMarkerPageThroughEverythingOnce) {
  for (bool asc : {true, false}) {
    for (auto key : {InstanceSortKey::kCreatedAt, InstanceSortKey::kHost, InstanceSortKey::kTaskState}) {
      InstanceListOptions o;
      o.sort = {{key, asc}};
      auto all = names({}, o);
      Names paged;
      o.limit = 2;
      for (int page = 0; page < 10; ++page) {
        auto r = repo_.list({}, o);
        ASSERT_TRUE(r.ok()) << r.status();
        if (r->empty()) break;
        EXPECT_LE(r->size(), 2u);
        for (auto& i : *r) paged.push_back(i.display_name);
        o.marker = r->back().uuid;
      }
      EXPECT_EQ(paged, all) << "key " << static_cast<int>(key) << " asc " << asc;
    }
  }
}

TEST_F(DbInstanceListing, UnknownMarkerIsNotFound) {
  InstanceListOptions o;
  o.marker = "00000000-0000-0000-0000-000000000000";
  auto r = repo_.list({}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("marker [00000000-0000-0000-0000-000000000000] not found"), std::string::npos);
}

TEST_F(DbInstanceListing, ADeletedInstanceStillWorksAsMarker) {
  auto o = by_name();
  o.marker = uuids_["other"];
  ASSERT_TRUE(repo_.destroy(uuids_["other"]).ok());
  EXPECT_EQ(names({}, o), (Names{"web-1", "web-2", "web-3"}));
}

}  // namespace
}  // namespace stratus::core::db
