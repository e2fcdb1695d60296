// `stratus user | project | role`: manage the identity service's users,
// projects and role assignments directly in the database, as keystone-manage
// does (no API call, no token: whoever can read the data directory is the
// operator). The database is found like `stratus aio` and `serve` find it:
// --data-dir, else the config's data_dir (--config / $STRATUS_CONFIG).
//
// Exit codes: 0 done; 1 the operation was refused (unknown user, duplicate
// name, ...), with the reason on stderr and nothing changed; 2 a bad config
// or a database that cannot be opened.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "core/cli/client/output_format.h"
#include "core/cli/commands.h"
#include "core/db/database.h"
#include "core/identity/identity_admin.h"

namespace stratus::core {

namespace {

using client::OutputFormat;
using client::Record;
using client::Table;

struct IdentityArgs {
  std::string data_dir;  // empty: the config's
  std::string format = "table";
  std::string name;
  std::optional<std::string> password;
  std::optional<std::string> project;
  std::optional<std::string> role;
  std::optional<std::string> user;
  std::string description;
};

// Opens the database; on failure prints why and returns nullptr.
std::unique_ptr<db::Database> open_database(const GlobalOptions& options, const IdentityArgs& args,
                                            const std::string& command) {
  std::string data_dir = args.data_dir;
  std::string connection;  // --data-dir given: SQLite there; else the config's [database]
  if (data_dir.empty()) {
    auto cfg = load_config(options.config_file ? std::optional<std::filesystem::path>(*options.config_file)
                                               : std::nullopt,
                           options.overrides);
    if (!cfg.ok()) {
      std::cerr << "stratus: " << cfg.status().message() << "\n";
      return nullptr;
    }
    data_dir = cfg->data_dir;
    connection = cfg->database.connection;
  }
  auto db = db::Database::open(connection, data_dir);
  if (!db.ok()) {
    std::cerr << "stratus: " << command << ": " << db.status().message() << "\n";
    return nullptr;
  }
  return std::move(*db);
}

int refused(const std::string& command, const sdk::Status& status) {
  std::cerr << "stratus: " << command << ": " << status.message() << "\n";
  return 1;
}

// The password from --password, else the first line of standard input (so
// it need not appear in the process list).
std::optional<std::string> password_of(const IdentityArgs& args) {
  if (args.password) return args.password;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void print_user(const db::UserRecord& u, OutputFormat format) {
  Record r{{{"domain_id", u.domain_id}, {"enabled", u.enabled}, {"id", u.id}, {"name", u.name}}};
  std::cout << client::render_record(r, format);
}

// Runs `body` with the opened database; maps the outcome to an exit code.
template <typename Body>
void on_run(CLI::App* cmd, const GlobalOptions& options, std::shared_ptr<IdentityArgs> args, std::string name,
            int& exit_code, Body body) {
  cmd->fallthrough();  // --data-dir and --format may follow the subcommand
  cmd->callback([&options, args, name, &exit_code, body] {
    try {
      auto db = open_database(options, *args, name);
      if (!db) {
        exit_code = 2;
        return;
      }
      identity::IdentityAdmin admin(*db);
      exit_code = body(admin, *args, client::parse_output_format(args->format));
    } catch (const std::exception& e) {
      std::cerr << "stratus: " << name << ": " << e.what() << "\n";
      exit_code = 1;
    }
  });
}

void add_common(CLI::App* group, IdentityArgs& args) {
  group->add_option("--data-dir", args.data_dir, "Data directory of the database (default: config data_dir)");
  group->add_option("-f,--format", args.format, "table or json")->check(CLI::IsMember({"table", "json"}));
}

void add_user_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto args = std::make_shared<IdentityArgs>();
  CLI::App* group = app.add_subcommand("user", "Manage identity users (directly in the database)");
  group->require_subcommand(1);
  add_common(group, *args);

  CLI::App* create = group->add_subcommand("create", "Create a user, optionally with a role on a project");
  create->add_option("name", args->name, "User name")->required();
  create->add_option("--password", args->password, "Password (default: read one line from standard input)");
  create->add_option("--project", args->project, "Give the user --role on this project (name or id)");
  create->add_option("--role", args->role, "Role to give on --project (admin, member, reader; default member)");
  on_run(create, options, args, "user create", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat format) {
           if (a.role && !a.project) return refused("user create", sdk::Status::InvalidArgument("--role needs --project"));
           // Check the project and role first, so a refusal creates nothing.
           if (a.project) {
             if (auto p = admin.find_project(*a.project); !p.ok()) return refused("user create", p.status());
             auto roles = admin.list_roles();
             if (!roles.ok()) return refused("user create", roles.status());
             const std::string role = a.role.value_or("member");
             bool known = false;
             for (const auto& r : *roles) known = known || r.name == role;
             if (!known) return refused("user create", sdk::Status::NotFound("Could not find role: " + role + "."));
           }
           auto password = password_of(a);
           if (!password) return refused("user create", sdk::Status::InvalidArgument("no password given"));
           auto user = admin.create_user(a.name, *password);
           if (!user.ok()) return refused("user create", user.status());
           if (a.project) {
             if (auto s = admin.add_role(user->id, *a.project, a.role.value_or("member")); !s.ok()) {
               (void)admin.delete_user(user->id);
               return refused("user create", s);
             }
           }
           print_user(*user, format);
           return 0;
         });

  CLI::App* list = group->add_subcommand("list", "List users");
  on_run(list, options, args, "user list", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs&, OutputFormat format) {
           auto users = admin.list_users();
           if (!users.ok()) return refused("user list", users.status());
           Table t{{"ID", "Name", "Enabled"}, {}};
           for (const auto& u : *users) t.rows.push_back({u.id, u.name, u.enabled ? "True" : "False"});
           std::cout << client::render_list(t, format);
           return 0;
         });

  CLI::App* remove = group->add_subcommand("delete", "Delete a user with its role assignments and tokens");
  remove->add_option("name", args->name, "User name or id")->required();
  on_run(remove, options, args, "user delete", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat) {
           if (auto s = admin.delete_user(a.name); !s.ok()) return refused("user delete", s);
           return 0;
         });

  CLI::App* set_password = group->add_subcommand("set-password", "Set a user's password");
  set_password->add_option("name", args->name, "User name or id")->required();
  set_password->add_option("--password", args->password, "Password (default: read one line from standard input)");
  on_run(set_password, options, args, "user set-password", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat) {
           if (auto u = admin.find_user(a.name); !u.ok()) return refused("user set-password", u.status());
           auto password = password_of(a);
           if (!password) return refused("user set-password", sdk::Status::InvalidArgument("no password given"));
           if (auto s = admin.set_password(a.name, *password); !s.ok()) return refused("user set-password", s);
           return 0;
         });
}

void add_project_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto args = std::make_shared<IdentityArgs>();
  CLI::App* project = app.add_subcommand("project", "Manage identity projects (directly in the database)");
  project->require_subcommand(1);
  add_common(project, *args);

  CLI::App* create = project->add_subcommand("create", "Create a project");
  create->add_option("name", args->name, "Project name")->required();
  create->add_option("--description", args->description, "Description");
  on_run(create, options, args, "project create", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat format) {
           auto p = admin.create_project(a.name, a.description);
           if (!p.ok()) return refused("project create", p.status());
           Record r{{{"description", p->description},
                     {"domain_id", p->domain_id},
                     {"enabled", p->enabled},
                     {"id", p->id},
                     {"name", p->name}}};
           std::cout << client::render_record(r, format);
           return 0;
         });

  CLI::App* list = project->add_subcommand("list", "List projects");
  on_run(list, options, args, "project list", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs&, OutputFormat format) {
           auto projects = admin.list_projects();
           if (!projects.ok()) return refused("project list", projects.status());
           Table t{{"ID", "Name", "Description", "Enabled"}, {}};
           for (const auto& p : *projects) t.rows.push_back({p.id, p.name, p.description, p.enabled ? "True" : "False"});
           std::cout << client::render_list(t, format);
           return 0;
         });

  CLI::App* remove = project->add_subcommand("delete", "Delete a project with its role assignments and tokens");
  remove->add_option("name", args->name, "Project name or id")->required();
  on_run(remove, options, args, "project delete", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat) {
           if (auto s = admin.delete_project(a.name); !s.ok()) return refused("project delete", s);
           return 0;
         });
}

void add_role_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto args = std::make_shared<IdentityArgs>();
  CLI::App* role = app.add_subcommand("role", "Manage role assignments (directly in the database)");
  role->require_subcommand(1);
  add_common(role, *args);

  CLI::App* add = role->add_subcommand("add", "Give a user a role on a project");
  add->add_option("role", args->name, "Role: admin, member or reader")->required();
  add->add_option("--user", args->user, "User name or id")->required();
  add->add_option("--project", args->project, "Project name or id")->required();
  on_run(add, options, args, "role add", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat) {
           if (auto s = admin.add_role(*a.user, *a.project, a.name); !s.ok()) return refused("role add", s);
           return 0;
         });

  CLI::App* remove = role->add_subcommand("remove", "Take a role on a project from a user");
  remove->add_option("role", args->name, "Role: admin, member or reader")->required();
  remove->add_option("--user", args->user, "User name or id")->required();
  remove->add_option("--project", args->project, "Project name or id")->required();
  on_run(remove, options, args, "role remove", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat) {
           if (auto s = admin.remove_role(*a.user, *a.project, a.name); !s.ok()) return refused("role remove", s);
           return 0;
         });

  CLI::App* list = role->add_subcommand("list", "List role assignments (with --user/--project: only theirs)");
  list->add_option("--user", args->user, "Only this user's (name or id)");
  list->add_option("--project", args->project, "Only on this project (name or id)");
  on_run(list, options, args, "role list", exit_code,
         [](identity::IdentityAdmin& admin, const IdentityArgs& a, OutputFormat format) {
           auto assignments = admin.list_assignments(a.user, a.project);
           if (!assignments.ok()) return refused("role list", assignments.status());
           Table t{{"Role", "User", "Project"}, {}};
           for (const auto& r : *assignments) t.rows.push_back({r.role_name, r.user_name, r.project_name});
           std::cout << client::render_list(t, format);
           return 0;
         });
}

}  // namespace

void add_identity_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  add_user_commands(app, options, exit_code);
  add_project_commands(app, options, exit_code);
  add_role_commands(app, options, exit_code);
}

}  // namespace stratus::core
