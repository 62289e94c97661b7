/**
 * Whether this machine shows windows: macOS and Windows always do; elsewhere
 * a browser needs an X11 or Wayland display, named by DISPLAY or
 * WAYLAND_DISPLAY (unset over SSH without forwarding, and in containers).
 */

export function hasDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
    if (platform === 'darwin' || platform === 'win32') return true;
    return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
