/**
 * Network interfaces by name, as the kernel sees them: this bundle owns the lookup of an
 * interface's index, MAC, MTU and flags ({@code SIOCGIF*} ioctls and {@code if_nameindex()}
 * through JNA), also for an interface without any IP address, which {@link java.net.NetworkInterface}
 * does not see. Exported; used by both transports, the target, the shell and the web console.
 *
 * <p><b>Registers:</b> nothing (no components). <b>Uses:</b> nothing. <b>Configuration:</b> none.
 *
 * <p><b>Start reading:</b> {@link org.aoede.netif.NetInterface}
 * ({@link org.aoede.netif.NetInterface#byName(String)}, {@link org.aoede.netif.NetInterface#names()}).
 */
package org.aoede.netif;
