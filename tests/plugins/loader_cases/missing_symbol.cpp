// A shared library with no Stratus exports at all.
extern "C" __attribute__((visibility("default"))) int not_a_plugin_function() { return 7; }
