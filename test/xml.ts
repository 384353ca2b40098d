/** Test helper: an XML well-formedness checker written for the SVG tests. */
/**
 * A small XML well-formedness checker: balanced and properly nested tags, quoted attributes,
 * no bare '&' or '<' in text. Returns the elements in document order with their attributes.
 */
export function parseXml(xml: string): Array<{ name: string; attributes: Record<string, string>; depth: number; text: string }> {
  const elements: Array<{ name: string; attributes: Record<string, string>; depth: number; text: string }> = [];
  const stack: Array<(typeof elements)[number]> = [];
  let i = 0;
  if (xml.startsWith("<?xml")) i = xml.indexOf("?>") + 2;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (/&(?!(lt|gt|amp|quot|apos|#\d+);)/.test(text)) throw new Error(`bare & in text at ${i}`);
    if (stack.length) stack[stack.length - 1].text += text;
    else if (text.trim()) throw new Error(`text outside the root at ${i}`);
    if (lt === -1) break;
    const gt = xml.indexOf(">", lt);
    if (gt === -1) throw new Error(`unclosed tag at ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${open?.name}>`);
    } else {
      const selfClosing = tag.endsWith("/");
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([A-Za-z][\w:.-]*)\s*(.*)$/s.exec(body);
      if (!m) throw new Error(`bad tag <${tag}>`);
      const attributes: Record<string, string> = {};
      let rest = m[2].trim();
      while (rest) {
        const a = /^([A-Za-z_:][\w:.-]*)="([^"<]*)"\s*/.exec(rest);
        if (!a) throw new Error(`bad attribute in <${m[1]}>: ${rest.slice(0, 30)}`);
        if (a[1] in attributes) throw new Error(`duplicate attribute ${a[1]}`);
        attributes[a[1]] = a[2];
        rest = rest.slice(a[0].length);
      }
      const element = { name: m[1], attributes, depth: stack.length, text: "" };
      if (stack.length === 0 && elements.length > 0) throw new Error("two root elements");
      elements.push(element);
      if (!selfClosing) stack.push(element);
    }
    i = gt + 1;
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  return elements;
}
