// A CoreDNS with only the plugins the local cluster's Corefile uses. Fewer plugins
// mean a smaller binary and, more to the point, no forwarding plugin at all: this
// DNS server cannot send a query off the machine even if misconfigured.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/template"
)

// Plugin execution order, as in upstream plugin.cfg (template runs before kubernetes,
// which is why the Corefile keeps the catch-all template in a separate server block).
var directives = []string{
	"reload", "ready", "health", "errors", "log",
	"loadbalance", "cache", "template", "kubernetes",
}

func init() { dnsserver.Directives = directives }

func main() { coremain.Run() }
