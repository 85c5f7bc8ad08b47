/** The chapter's final architecture, runnable on one machine. */
package io.scaleblocks.demo;
