# `cmake --install` and `cpack -G DEB` (docs/operations.md "Installing the package";
# scripts/package.sh builds the package in one command). Paths follow GNUInstallDirs: with the
# default prefix /usr/local the binary goes to /usr/local/bin; the package uses prefix /usr, so
# /usr/bin/tracecollector and the unit in /usr/lib/systemd/system; the configuration is
# /etc/tracecollector/tracecollector.toml either way (a conffile in the package). DESTDIR works.
include(GNUInstallDirs)

# Relative destinations follow the prefix at install time (cmake --install --prefix, or the
# package's /usr); the configuration is always /etc/tracecollector, where the unit and the docs
# look for it.
set(TC_INSTALL_CONFDIR /etc/tracecollector CACHE PATH "where the configuration file goes")
install(TARGETS tracecollector RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/tracecollector.toml DESTINATION ${TC_INSTALL_CONFDIR})
file(GLOB TC_DOC_PAGES ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${TC_DOC_PAGES} ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The man page and the changelog gzipped as Debian wants them (gzip -9n: no name, no time).
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/changelog.in
               ${PROJECT_BINARY_DIR}/packaging/changelog @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/packaging/tracecollector.1
               ${PROJECT_BINARY_DIR}/packaging/tracecollector.1 COPYONLY)
foreach(doc changelog tracecollector.1)
  execute_process(COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/packaging/${doc}
                  RESULT_VARIABLE tc_gzip_status)
  if(NOT tc_gzip_status EQUAL 0)
    message(FATAL_ERROR "gzip ${doc} failed: ${tc_gzip_status}")
  endif()
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/packaging/tracecollector.1.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_BINARY_DIR}/packaging/changelog.gz
              ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The unit: deploy/systemd/tracecollector.service with the installed binary's path (known at
# install time) and the package's static `tracecollector` user (made by postinst) instead of a
# dynamic one, so the data directory keeps one owner across upgrades. systemd reads units from
# <prefix>/lib/systemd/system for /usr and /usr/local.
file(READ ${PROJECT_SOURCE_DIR}/deploy/systemd/tracecollector.service TC_UNIT)
string(REPLACE "/usr/local/bin/tracecollector" "@TC_BINARY@" TC_UNIT "${TC_UNIT}")
string(REPLACE "DynamicUser=yes" "DynamicUser=no" TC_UNIT "${TC_UNIT}")
string(REGEX REPLACE "^# systemd unit for tracecollector[^\n]*\n(#[^\n]*\n)*"
       "# systemd unit for tracecollector, installed by its package or cmake --install\n# (docs/operations.md). Data: /var/lib/tracecollector, owned by the tracecollector user.\n"
       TC_UNIT "${TC_UNIT}")
file(WRITE ${PROJECT_BINARY_DIR}/packaging/tracecollector.service.in "${TC_UNIT}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/deploy/systemd/tracecollector.service)
install(CODE "
  set(TC_BINARY \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/tracecollector\")
  configure_file(\"${PROJECT_BINARY_DIR}/packaging/tracecollector.service.in\"
                 \"${PROJECT_BINARY_DIR}/packaging/tracecollector.service\" @ONLY)")
install(FILES ${PROJECT_BINARY_DIR}/packaging/tracecollector.service
        DESTINATION lib/systemd/system)

# ---- the Debian package ----
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tracecollector)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})  # the version --version prints
set(CPACK_PACKAGE_CONTACT "tracecollector maintainers <tracecollector@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "durable trace collector for LLM agents (synth-ai Tracing V3 schema)")
set(CPACK_PACKAGE_DESCRIPTION
    "Agents POST trace records (or OpenTelemetry spans) over HTTP; the collector\nacknowledges them once durable and stores them in SQLite or sqld (libSQL),\nwith a read API, a live stream and a built-in web viewer.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/tracecollector/tracecollector")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the libraries' packages, from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")  # postinst makes the system user
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR OFF)
include(CPack)
