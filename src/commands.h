/* SPDX-License-Identifier: GPL-2.0 */
/* The commands, one file each (src/cmd_*.c); main.c dispatches to them. */
#ifndef PW_COMMANDS_H
#define PW_COMMANDS_H
#include "options.h"

int cmd_probe(struct pw_options *o);
int cmd_run(struct pw_options *o);
int cmd_live(struct pw_options *o);
int cmd_why(struct pw_options *o);
int cmd_serve(struct pw_options *o);
int cmd_top(struct pw_options *o);
#endif
