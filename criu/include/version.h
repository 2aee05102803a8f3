/* SPDX-License-Identifier: GPL-2.0 */
/* The version `criu --version` prints, in CRIU's "Version: X.Y" form. */
#ifndef CRIU_INCLUDE_VERSION_H
#define CRIU_INCLUDE_VERSION_H

#define CRIU_VERSION "0.1"

#endif /* CRIU_INCLUDE_VERSION_H */
