/** Whether an error is a full disk. Node reports code ENOSPC; libvips (sharp) only says so in its message. */
export function isDiskFull(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return e?.code === 'ENOSPC' || /ENOSPC|no space left on device/i.test(String(e?.message ?? ''));
}
