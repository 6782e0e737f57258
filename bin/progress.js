// A one-line progress bar for a terminal: redrawn in place with \r, erased
// when done. The caller draws it only when the stream is a TTY.

export function progressBar(stream, total) {
  const width = 24;
  const draw = (n, label) => {
    const filled = Math.round((n / total) * width);
    const cols = stream.columns || 80; // a pty without a size reports 0
    const head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${n}/${total} `;
    stream.write(`\r${(head + label).slice(0, cols - 1)}\x1b[K`);
  };
  return {
    update: draw,
    done: () => stream.write('\r\x1b[K'),
  };
}
