"""Checks Stratus's compute replies against the community's contract for them:
the JSON schemas tempest ships for Nova 2.1 (Debian's python3-tempest), the
same ones tempest runs against a real Nova. Run with /usr/bin/python3:

    tempest_schemas.py COMPUTE_URL TOKEN

COMPUTE_URL is the compute endpoint (http://host:port/v2.1); TOKEN is sent as
X-Auth-Token. Prints one line per call and exits non-zero if any reply does
not match its schema.
"""
import json
import sys
import time
import urllib.error
import urllib.request

from tempest.lib.api_schema.response.compute.v2_1 import availability_zone as az_schema
from tempest.lib.api_schema.response.compute.v2_1 import flavors as flavors_schema
from tempest.lib.api_schema.response.compute.v2_1 import hypervisors as hypervisors_schema
from tempest.lib.api_schema.response.compute.v2_1 import images as images_schema
from tempest.lib.api_schema.response.compute.v2_1 import keypairs as keypairs_schema
from tempest.lib.api_schema.response.compute.v2_1 import limits as limits_schema
from tempest.lib.api_schema.response.compute.v2_1 import quotas as quotas_schema
from tempest.lib.api_schema.response.compute.v2_1 import server_groups as groups_schema
from tempest.lib.api_schema.response.compute.v2_1 import servers as servers_schema
from tempest.lib.api_schema.response.compute.v2_1 import services as services_schema
from tempest.lib.api_schema.response.compute.v2_1 import versions as versions_schema
from tempest.lib.common import rest_client

base, token = sys.argv[1].rstrip("/"), sys.argv[2]
root = base.rsplit("/v2.1", 1)[0]
failures = []


class Reply(dict):
    """What tempest's validator reads: the status and the headers (as a dict)."""

    def __init__(self, status, headers):
        super().__init__({k.lower(): v for k, v in headers.items()})
        self.status = status


def request(method, path, body=None, absolute=False):
    url = path if absolute else base + path
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("X-Auth-Token", token)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw, status, headers = r.read(), r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        raw, status, headers = e.read(), e.code, dict(e.headers)
    return Reply(status, headers), (json.loads(raw) if raw else None)


def check(what, schema, method, path, body=None, absolute=False):
    reply, out = request(method, path, body, absolute)
    try:
        if reply.status >= 400:
            raise AssertionError("HTTP %d: %s" % (reply.status, out))
        rest_client.RestClient.validate_response(schema, reply, out)
        print("ok: %s (%s %s)" % (what, method, path))
    except Exception as e:  # the validator raises tempest's own exceptions
        print("FAIL: %s (%s %s): %s" % (what, method, path, getattr(e, "_error_string", e)))
        failures.append(what)
    return out


def wait_for_status(server_id, wanted, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        _, out = request("GET", "/servers/" + server_id)
        if out and out["server"]["status"] == wanted:
            return True
        time.sleep(0.2)
    return False


check("version list", versions_schema.list_versions, "GET", root + "/", absolute=True)
check("one version", versions_schema.get_one_version, "GET", "/")

check("flavor list", flavors_schema.list_flavors, "GET", "/flavors")
flavors = check("flavor detail list", flavors_schema.list_flavors_details, "GET", "/flavors/detail")
flavor_id = flavors["flavors"][0]["id"]
check("flavor show", flavors_schema.create_update_get_flavor_details, "GET", "/flavors/" + flavor_id)

images = check("image list", images_schema.list_images, "GET", "/images")
check("image detail list", images_schema.list_images_details, "GET", "/images/detail")
image_id = images["images"][0]["id"]
check("image show", images_schema.get_image, "GET", "/images/" + image_id)

check("keypair create", keypairs_schema.create_keypair, "POST", "/os-keypairs", {"keypair": {"name": "schema-kp"}})
check("keypair list", keypairs_schema.list_keypairs, "GET", "/os-keypairs")
check("keypair show", keypairs_schema.get_keypair, "GET", "/os-keypairs/schema-kp")

group = check("server group create", groups_schema.create_show_server_group, "POST", "/os-server-groups",
              {"server_group": {"name": "schema-group", "policies": ["anti-affinity"]}})
check("server group list", groups_schema.list_server_groups, "GET", "/os-server-groups")
check("server group show", groups_schema.create_show_server_group, "GET",
      "/os-server-groups/" + group["server_group"]["id"])

created = check("server create", servers_schema.create_server_with_admin_pass, "POST", "/servers",
                {"server": {"name": "schema-1", "flavorRef": flavor_id, "imageRef": image_id,
                            "key_name": "schema-kp", "metadata": {"role": "schema"}}})
server_id = created["server"]["id"]
if not wait_for_status(server_id, "ACTIVE"):
    failures.append("server reached ACTIVE")
    print("FAIL: server schema-1 did not reach ACTIVE")
check("server show", servers_schema.get_server, "GET", "/servers/" + server_id)
check("server list", servers_schema.list_servers, "GET", "/servers")
check("server detail list", servers_schema.list_servers_detail, "GET", "/servers/detail")
check("server update", servers_schema.update_server, "PUT", "/servers/" + server_id, {"server": {"name": "schema-2"}})
check("server addresses", servers_schema.list_addresses, "GET", "/servers/%s/ips" % server_id)
check("server metadata list", servers_schema.list_server_metadata, "GET", "/servers/%s/metadata" % server_id)
check("server metadata set", servers_schema.set_server_metadata, "PUT", "/servers/%s/metadata" % server_id,
      {"metadata": {"role": "schema", "tier": "web"}})
check("server metadata item", servers_schema.set_show_server_metadata_item, "GET",
      "/servers/%s/metadata/tier" % server_id)
check("console output", servers_schema.get_console_output, "POST", "/servers/%s/action" % server_id,
      {"os-getConsoleOutput": {"length": 10}})
check("reboot", servers_schema.server_actions_common_schema, "POST", "/servers/%s/action" % server_id,
      {"reboot": {"type": "HARD"}})
wait_for_status(server_id, "ACTIVE")
actions = check("instance actions", servers_schema.list_instance_actions, "GET",
                "/servers/%s/os-instance-actions" % server_id)
check("instance action show", servers_schema.show_instance_action, "GET",
      "/servers/%s/os-instance-actions/%s" % (server_id, actions["instanceActions"][0]["request_id"]))

check("availability zones", az_schema.list_availability_zone_list, "GET", "/os-availability-zone")
check("availability zones detail", az_schema.list_availability_zone_list_detail, "GET",
      "/os-availability-zone/detail")
hypervisors = check("hypervisor list", hypervisors_schema.list_search_hypervisors, "GET", "/os-hypervisors")
check("hypervisor detail list", hypervisors_schema.list_hypervisors_detail, "GET", "/os-hypervisors/detail")
check("hypervisor show", hypervisors_schema.get_hypervisor, "GET",
      "/os-hypervisors/%s" % hypervisors["hypervisors"][0]["id"])
check("hypervisor statistics", hypervisors_schema.get_hypervisor_statistics, "GET", "/os-hypervisors/statistics")
check("hypervisor servers", hypervisors_schema.get_hypervisors_servers, "GET",
      "/os-hypervisors/%s/servers" % hypervisors["hypervisors"][0]["hypervisor_hostname"])
check("service list", services_schema.list_services, "GET", "/os-services")
check("limits", limits_schema.get_limit, "GET", "/limits")
project = created["server"].get("tenant_id") or request("GET", "/servers/" + server_id)[1]["server"]["tenant_id"]
check("quota set", quotas_schema.get_quota_set, "GET", "/os-quota-sets/" + project)
check("quota set detail", quotas_schema.get_quota_set_details, "GET", "/os-quota-sets/%s/detail" % project)

check("server delete", servers_schema.delete_server, "DELETE", "/servers/" + server_id)
check("server group delete", groups_schema.delete_server_group, "DELETE",
      "/os-server-groups/" + group["server_group"]["id"])
check("keypair delete", keypairs_schema.delete_keypair, "DELETE", "/os-keypairs/schema-kp")

if failures:
    print("%d replies did not match tempest's schemas: %s" % (len(failures), ", ".join(failures)))
    sys.exit(1)
print("all replies match tempest's compute v2.1 schemas")
