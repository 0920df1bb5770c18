# CPack, before packing: libsysgate.a without its debug sections (RelWithDebInfo builds carry
# 200 MB of them), as Debian ships static libraries.
file(GLOB_RECURSE archives ${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.a)
foreach(a ${archives})
  execute_process(COMMAND strip --strip-debug ${a} COMMAND_ERROR_IS_FATAL ANY)
endforeach()
