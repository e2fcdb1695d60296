// The `libvirt` plugin's export: descriptor and factory for the loader.
#include "stratus/drivers/libvirt/libvirt_driver.h"
#include "stratus/sdk/plugin_export.h"

using stratus::drivers::libvirt::make_libvirt_driver;

STRATUS_PLUGIN(stratus::sdk::VirtDriver, libvirt, "0.1.0",
               "QEMU/KVM guests through libvirt: qcow2 overlays, direct kernel boot, serial console log",
               make_libvirt_driver)
