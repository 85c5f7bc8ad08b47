/**
 * What the stores and filters of this module share. Not API: it may change in any release. In
 * this package a {@code null} principal means "none".
 */
package io.scaleblocks.session.internal;
