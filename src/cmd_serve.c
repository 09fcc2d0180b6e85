// SPDX-License-Identifier: GPL-2.0
/*
 * `pinwatch serve`: live-mode tracing with the state exported every
 * --interval as Prometheus metrics over HTTP (libmicrohttpd), to a
 * node_exporter textfile (--textfile) and/or as JSON lines (--json).
 *
 * The main thread owns the tracer; it renders the exposition once per
 * interval into a buffer. The HTTP thread only copies that buffer, so a
 * scrape never touches BPF maps and a slow or hostile client cannot stall
 * tracing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "monitor.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static pthread_mutex_t page_mu = PTHREAD_MUTEX_INITIALIZER;
static char *page;		/* the last exposition, NULL before the first one */
static size_t page_len;

static const char index_html[] =
	"<!DOCTYPE html>\n<html><head><title>pinwatch</title></head><body>\n"
	"<h1>pinwatch</h1>\n<p>FOLL_PIN page pins: <a href=\"/metrics\">/metrics</a></p>\n"
	"</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type,
			     const char *body, size_t len, bool allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	static const char text[] = "text/plain; charset=utf-8";

	/* Answered on the first call, before any request body is read: nothing
	 * here accepts a body, so it is never buffered. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, text, "method not allowed\n", 19, true);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_html,
			     sizeof(index_html) - 1, false);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, text, "not found\n", 10, false);
	pthread_mutex_lock(&page_mu);
	enum MHD_Result ret = page
		? reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", page, page_len, false)
		: reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, text, "starting\n", 9, false);
	pthread_mutex_unlock(&page_mu);
	return ret;
}

static struct MHD_Daemon *listen_on(const struct pw_options *o)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(o->listen_port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(o->listen_port) };
	const struct sockaddr *sa = (const struct sockaddr *)&a4;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;

	if (inet_pton(AF_INET, o->listen_host, &a4.sin_addr) != 1) {
		if (inet_pton(AF_INET6, o->listen_host, &a6.sin6_addr) != 1) {
			fprintf(stderr, "pinwatch: --listen %s: want a numeric IPv4 or IPv6 address\n",
				o->listen_host);
			return NULL;
		}
		sa = (const struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	}
	/* Bounds for misbehaving clients: few connections, small per-connection
	 * memory (huge headers get 431/413 from libmicrohttpd), short timeout. */
	struct MHD_Daemon *d = MHD_start_daemon(flags, o->listen_port, NULL, NULL, handle, NULL,
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
		MHD_OPTION_END);
	if (!d)
		fprintf(stderr, "pinwatch: cannot listen on %s:%d: %s\n", o->listen_host, o->listen_port,
			strerror(errno ? errno : EADDRINUSE));
	return d;
}

static void publish(const struct pw_snapshot *snap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	int err = metrics_write(f, snap);
	if (fclose(f) || err) {
		free(buf);
		return;
	}
	pthread_mutex_lock(&page_mu);
	free(page);
	page = buf;
	page_len = len;
	pthread_mutex_unlock(&page_mu);
}

/* One interval's outputs. Write errors are reported once per errno change,
 * not every interval, and never stop the exporter. */
static void export(struct monitor *m, struct pw_options *o, int *tf_err)
{
	struct pw_snapshot snap;

	if (monitor_snapshot(m, &snap) == 0) {
		publish(&snap);
		if (o->textfile) {
			int e = metrics_write_textfile(o->textfile, &snap);
			if (e && e != *tf_err)
				fprintf(stderr, "pinwatch: writing --textfile %s: %s\n", o->textfile, strerror(-e));
			*tf_err = e;
		}
		if (o->json) {
			json_begin(o);
			metrics_json(o->json, &snap);
		}
	}
	snapshot_free(&snap);
}

int cmd_serve(struct pw_options *o)
{
	struct MHD_Daemon *d = NULL;
	struct monitor m;
	int tf_err = 0;

	session_catch_signals(on_signal);
	signal(SIGPIPE, SIG_IGN);	/* a closed --json pipe is an error, not death */
	/* bind first: a port in use fails in a second, not after the probe */
	if (o->listen_port && !(d = listen_on(o)))
		return 1;
	int rc = monitor_start(&m, o);
	if (rc) {
		if (d)
			MHD_stop_daemon(d);
		return rc;
	}
	session_share(&m.s, "serve");
	m.log_blocked = true;
	export(&m, o, &tf_err);
	if (d)
		fprintf(stderr, "pinwatch: serving http://%s%s%s:%d/metrics\n", strchr(o->listen_host, ':') ? "[" : "",
			o->listen_host, strchr(o->listen_host, ':') ? "]" : "", o->listen_port);
	if (o->textfile)
		fprintf(stderr, "pinwatch: writing %s every %.1fs\n", o->textfile, o->interval_ns / 1e9);
	__u64 next = pw_now_ns() + o->interval_ns;
	while (!stop) {
		tracer_poll(m.s.tr, 100);
		if (pw_now_ns() >= next) {
			export(&m, o, &tf_err);
			next = pw_now_ns() + o->interval_ns;
		}
	}
	if (d)
		MHD_stop_daemon(d);
	monitor_end(&m);
	free(page);
	page = NULL;
	return 0;
}
