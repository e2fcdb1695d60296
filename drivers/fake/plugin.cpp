// The `fake` plugin's export: descriptor and factory for the loader.
#include "stratus/drivers/fake/fake_driver.h"
#include "stratus/sdk/plugin_export.h"

using stratus::drivers::fake::make_fake_driver;

STRATUS_PLUGIN(stratus::sdk::VirtDriver, fake, "1.0.0",
               "In-memory hypervisor: libvirt power-state machine, scripted faults, many hosts per process",
               make_fake_driver)
