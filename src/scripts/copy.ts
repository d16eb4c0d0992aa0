/** "Copy" buttons: `<button data-copy="element-id">` copies that element's text and says so. */
export function setUpCopyButtons(root: ParentNode = document): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    button.addEventListener('click', async () => {
      const source = document.getElementById(button.dataset.copy ?? '');
      const status = button.parentElement?.querySelector('.copy-status');
      if (!source) return;
      const copied = await copyText(source.textContent ?? '', source);
      if (status) status.textContent = copied ? 'Copied to the clipboard.' : 'Selected: press Ctrl+C or ⌘C to copy.';
    });
  }
}

async function copyText(text: string, source: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (an http page, an old browser): select the text so the reader can copy it.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return false;
  }
}
