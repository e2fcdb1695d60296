"""Writes the seed corpus of rest_api_fuzz (tests/fuzz/corpus/rest/): the
requests real clients send, with the bodies of Nova's, Keystone's and Glance's
api-ref examples and the headers openstackclient / Tempest send (token,
microversion, content type). "{server}" and "{image}" stand for the harness's
ACTIVE server and queued image (rest_api_fuzz.cpp).
    /usr/bin/python3 tests/fuzz/make_rest_corpus.py   # rewrites the directory
"""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus", "rest")
IMAGE = "155d900f-4e14-4e4c-a73d-069cbf4541e6"


def request(method, path, body=None, token="member", version=None, ctype="application/json", raw=None):
    head = ["%s %s HTTP/1.1" % (method, path), "Host: localhost:8774", "Accept: application/json",
            "User-Agent: python-novaclient"]
    if token:
        head.append("X-Auth-Token: " + token)
    if version:
        head.append("OpenStack-API-Version: compute " + version)
        head.append("X-OpenStack-Nova-API-Version: " + version)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    if data:
        head.append("Content-Type: " + ctype)
        head.append("Content-Length: %d" % len(data))
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


seeds = {
    # Servers: create (api-ref "Create Server" at several microversions).
    "create_server_minimal": request("POST", "/v2.1/servers", {"server": {
        "name": "new-server-test", "imageRef": IMAGE, "flavorRef": "1", "networks": "none"}}, version="2.37"),
    "create_server_full": request("POST", "/v2.1/servers", {"server": {
        "accessIPv4": "1.2.3.4", "accessIPv6": "80fe::", "name": "new-server-test", "imageRef": IMAGE,
        "flavorRef": "1", "availability_zone": "nova", "OS-DCF:diskConfig": "AUTO",
        "metadata": {"My Server Name": "Apache1"}, "security_groups": [{"name": "default"}],
        "user_data": "IyEvYmluL2Jhc2gKL2Jpbi9zdQplY2hvICJJIGFtIGluIHlvdSEiCg==",
        "key_name": "keypair-1", "min_count": 1, "max_count": 2, "tags": ["tag1", "tag2"],
        "description": "a server", "hostname": "custom-hostname"},
        "OS-SCH-HNT:scheduler_hints": {"same_host": "48e6a9f6-30af-47e0-bc04-acaed113bb4e"}}, version="2.90"),
    "create_server_networks": request("POST", "/v2.1/servers", {"server": {
        "name": "net", "imageRef": IMAGE, "flavorRef": "2",
        "networks": [{"uuid": "5d4c6a1b-7e0f-4a29-9b38-2c1d0e6f7a81", "fixed_ip": "10.0.0.5"}]}}, version="2.79"),
    "create_server_bdm": request("POST", "/v2.1/servers", {"server": {
        "name": "bfv", "flavorRef": "1", "networks": "auto",
        "block_device_mapping_v2": [{"boot_index": 0, "uuid": IMAGE, "source_type": "image",
                                     "destination_type": "local", "delete_on_termination": True}],
        "personality": [{"path": "/etc/banner.txt", "contents": "aGVsbG8="}]}}, version="2.1"),
    "create_server_legacy_v2": request("POST", "/v2/servers", {"server": {
        "name": "legacy", "imageRef": IMAGE, "flavorRef": "1"}}, version=None),
    # Server actions (api-ref "Servers - run an action").
    "action_reboot": request("POST", "/v2.1/servers/{server}/action", {"reboot": {"type": "HARD"}}),
    "action_stop": request("POST", "/v2.1/servers/{server}/action", {"os-stop": None}),
    "action_start": request("POST", "/v2.1/servers/{server}/action", {"os-start": None}),
    "action_rebuild": request("POST", "/v2.1/servers/{server}/action", {"rebuild": {
        "imageRef": IMAGE, "name": "foobar", "adminPass": "seekr3t", "metadata": {"meta_var": "meta_val"},
        "OS-DCF:diskConfig": "AUTO", "preserve_ephemeral": False, "description": "rebuilt"}}, version="2.63"),
    "action_resize": request("POST", "/v2.1/servers/{server}/action", {"resize": {"flavorRef": "2",
                                                                                 "OS-DCF:diskConfig": "AUTO"}}),
    "action_lock": request("POST", "/v2.1/servers/{server}/action", {"lock": {"locked_reason": "because"}},
                           version="2.73"),
    "action_pause": request("POST", "/v2.1/servers/{server}/action", {"pause": None}),
    "action_suspend": request("POST", "/v2.1/servers/{server}/action", {"suspend": None}),
    "action_console": request("POST", "/v2.1/servers/{server}/action", {"os-getConsoleOutput": {"length": 50}}),
    "action_create_image": request("POST", "/v2.1/servers/{server}/action", {"createImage": {
        "name": "snap", "metadata": {"k": "v"}}}, version="2.45"),
    "action_change_password": request("POST", "/v2.1/servers/{server}/action",
                                      {"changePassword": {"adminPass": "foo"}}),
    "action_add_sg": request("POST", "/v2.1/servers/{server}/action", {"addSecurityGroup": {"name": "default"}}),
    "action_rescue": request("POST", "/v2.1/servers/{server}/action", {"rescue": {"adminPass": "MySecretPass",
                                                                                 "rescue_image_ref": IMAGE}}),
    "action_shelve": request("POST", "/v2.1/servers/{server}/action", {"shelve": None}),
    "action_reset_state": request("POST", "/v2.1/servers/{server}/action", {"os-resetState": {"state": "active"}},
                                  token="admin"),
    "server_update": request("PUT", "/v2.1/servers/{server}", {"server": {"name": "new-name",
                                                                          "description": "d"}}, version="2.19"),
    "server_show": request("GET", "/v2.1/servers/{server}", version="2.96"),
    "servers_list": request("GET", "/v2.1/servers/detail?limit=2&name=fuzz&status=ACTIVE&sort_key=display_name",
                            version="2.75"),
    "server_delete": request("DELETE", "/v2.1/servers/{server}"),
    # Metadata and tags.
    "metadata_set": request("PUT", "/v2.1/servers/{server}/metadata", {"metadata": {"foo": "Foo Value"}}),
    "metadata_update": request("POST", "/v2.1/servers/{server}/metadata", {"metadata": {"a": "b", "c": "d"}}),
    "metadata_item": request("PUT", "/v2.1/servers/{server}/metadata/foo", {"meta": {"foo": "Bar"}}),
    "metadata_delete": request("DELETE", "/v2.1/servers/{server}/metadata/foo"),
    "tags_replace": request("PUT", "/v2.1/servers/{server}/tags", {"tags": ["tag1", "tag2"]}, version="2.26"),
    "tag_add": request("PUT", "/v2.1/servers/{server}/tags/tag3", version="2.26"),
    # Flavors and key pairs.
    "flavor_create": request("POST", "/v2.1/flavors", {"flavor": {
        "name": "test_flavor", "ram": 1024, "vcpus": 2, "disk": 10, "id": "10", "rxtx_factor": 2.0,
        "description": "test description", "os-flavor-access:is_public": True}}, token="admin", version="2.55"),
    "flavor_extra_specs": request("POST", "/v2.1/flavors/1/os-extra_specs",
                                  {"extra_specs": {"hw:cpu_policy": "shared", "hw:numa_nodes": "1"}}, token="admin"),
    "keypair_create": request("POST", "/v2.1/os-keypairs", {"keypair": {"name": "keypair-5d935425", "type": "ssh"}},
                              version="2.2"),
    "keypair_import": request("POST", "/v2.1/os-keypairs", {"keypair": {
        "name": "keypair-imp", "public_key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o"
        "/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEs"
        "YXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova"}}, version="2.92"),
    "keypair_show": request("GET", "/v2.1/os-keypairs/keypair-5d935425?user_id=u-member", version="2.10"),
    # Identity tokens (Keystone api-ref "Password authentication with scoped authorization").
    "token_password": request("POST", "/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"name": "Default"}, "password": "fuzz-password"}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}, token=None),
    "token_password_user_id": request("POST", "/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {"id": "ee4dfb6e5540447cb3741905149d9b6e",
                                                                     "password": "devstacker"}}},
        "scope": {"system": {"all": True}}}}, token=None),
    "token_token_method": request("POST", "/identity/v3/auth/tokens?nocatalog", {"auth": {
        "identity": {"methods": ["token"], "token": {"id": "'$OS_TOKEN'"}},
        "scope": {"project": {"id": "5b50efd009b540559104ee3c03bbb2b7"}}}}, token=None),
    "token_validate": request("GET", "/identity/v3/auth/tokens", token="admin", raw=b"") .replace(
        b"X-Auth-Token: admin", b"X-Auth-Token: admin\r\nX-Subject-Token: gAAAAABW"),
    "token_revoke": request("DELETE", "/identity/v3/auth/tokens", token="admin").replace(
        b"X-Auth-Token: admin", b"X-Auth-Token: admin\r\nX-Subject-Token: gAAAAABW"),
    # Image service (Glance api-ref "Create image", "Upload binary image data").
    "image_create": request("POST", "/image/v2/images", {
        "container_format": "bare", "disk_format": "raw", "name": "Ubuntu", "id": "b2173dd3-7ad6-4362-baa6-a68bce3565cb",
        "visibility": "private", "min_disk": 1, "tags": ["a"], "os_distro": "ubuntu"}),
    "image_upload": request("PUT", "/image/v2/images/{image}/file", raw=b"\x00QFI\xfb" + b"x" * 200,
                            ctype="application/octet-stream"),
    "image_patch": request("PATCH", "/image/v2/images/{image}", raw=json.dumps([
        {"op": "replace", "path": "/name", "value": "Fedora 17"},
        {"op": "add", "path": "/tags", "value": ["fedora", "beefy"]},
        {"op": "remove", "path": "/os_distro"}]).encode(),
        ctype="application/openstack-images-v2.1-json-patch"),
    "image_list": request("GET", "/image/v2/images?limit=5&visibility=all&sort=name:asc"),
    "versions": request("GET", "/", token=None),
    "version_v21": request("GET", "/v2.1/", token=None),
}

os.makedirs(out, exist_ok=True)
for name in os.listdir(out):
    os.remove(os.path.join(out, name))
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print("%d seeds in %s" % (len(seeds), out))
