/** The fleet description shared by every service and the local runner. */
package io.lkfleet.common.fleet;
