package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheck asks the server listening on addr whether it and its
// database are well, the way a container engine's HEALTHCHECK or a
// monitoring script would: the image from scratch has no shell nor curl, so
// the binary asks itself. A wildcard address (0.0.0.0, [::], :8080) is
// reached on loopback.
func healthcheck(ctx context.Context, addr string, stdout io.Writer) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: bad --addr %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// No proxy from the environment: the server is on this machine.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	answer := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK || answer != "ok" {
		return fmt.Errorf("healthcheck: %s answered %d %q", url, resp.StatusCode, answer)
	}
	fmt.Fprintf(stdout, "%s: ok\n", url)
	return nil
}
