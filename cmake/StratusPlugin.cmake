# stratus_add_plugin(<target> SOURCES <files>... [LIBRARIES <targets>...] [TARGET_ABI <n>])
#
# Builds a plugin library (a MODULE that the loader dlopens) against the SDK,
# with hidden visibility so that only the STRATUS_PLUGIN exports are seen, and
# puts it where the `stratus` binary of this build tree and of an install looks.
# The same function ships in the installed SDK package (StratusSDKConfig.cmake)
# for out-of-tree plugins; this copy also links the in-tree warning set.
# TARGET_ABI builds the plugin for an older ABI (STRATUS_SDK_TARGET_ABI,
# version.h), so that an older Stratus loads it too.
function(stratus_add_plugin target)
  cmake_parse_arguments(ARG "" "TARGET_ABI" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE Stratus::sdk stratus_warnings ${ARG_LIBRARIES})
  if(ARG_TARGET_ABI)
    target_compile_definitions(${target} PRIVATE STRATUS_SDK_TARGET_ABI=${ARG_TARGET_ABI})
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${STRATUS_PLUGIN_OUTPUT_DIR})
  install(TARGETS ${target} LIBRARY DESTINATION ${STRATUS_PLUGIN_INSTALL_DIR})
endfunction()
