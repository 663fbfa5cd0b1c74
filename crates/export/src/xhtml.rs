//! Author HTML (sanitized when stored, but HTML: `&nbsp;`, `<br>`, AO3's
//! old elements) made into XHTML that an EPUB reader must accept.
//!
//! The text goes through an HTML5 parser, so whatever the markup, the tree
//! is the one a browser builds; then each element is kept only where
//! HTML5's content models allow it, so epubcheck finds nothing to refuse:
//! blocks inside inline elements are split out, stray list items get a
//! list, tables get their rows and cells. Images never stay: an EPUB may
//! not point at remote files and quire fetches nothing, so an image leaves
//! its alt text behind. Placeholders are filled in the text only, never in
//! markup.

use ego_tree::NodeRef;
use quire_text::FillProfile;
use scraper::Node as HtmlNode;

/// A well-formed piece of XHTML, as the exporters draw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Always one of the HTML5 elements this module writes.
    pub name: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
}

impl Element {
    fn new(name: &'static str, children: Vec<Node>) -> Element {
        Element {
            name,
            attrs: Vec::new(),
            children,
        }
    }

    fn with_attrs(mut self, attrs: Vec<(&'static str, String)>) -> Element {
        self.attrs = attrs;
        self
    }

    /// A copy without children, to wrap other content the same way.
    fn shell(&self) -> Element {
        Element {
            name: self.name,
            attrs: self.attrs.clone(),
            children: Vec::new(),
        }
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Author HTML as a string of XHTML elements (no wrapper), placeholders
/// filled from `fill`.
pub fn to_xhtml(html: &str, fill: &FillProfile) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    write_nodes(&convert(html, fill), &mut out);
    out
}

/// Author HTML as a tree that is valid where flow content may stand (a
/// `div`, a `body`).
pub fn convert(html: &str, fill: &FillProfile) -> Vec<Node> {
    convert_with(html, fill, &NoFiles)
}

/// The archive's own files (uploads) as a download carries them.
pub(crate) trait ArchiveFiles {
    /// Where the picture at `address` is in this download, if it is in it.
    fn picture_src(&self, address: &str) -> Option<String>;
    /// A full link to the file at `address` (a podfic), if it is the
    /// archive's.
    fn file_link(&self, address: &str) -> Option<String>;
}

/// No files of the archive's: pictures leave their alt text.
struct NoFiles;

impl ArchiveFiles for NoFiles {
    fn picture_src(&self, _: &str) -> Option<String> {
        None
    }
    fn file_link(&self, _: &str) -> Option<String> {
        None
    }
}

/// [`convert`], showing each of the archive's own pictures `files` carries
/// where it says (in the book, or inline), and linking its recordings;
/// any other picture leaves its alt text.
pub(crate) fn convert_with(html: &str, fill: &FillProfile, files: &dyn ArchiveFiles) -> Vec<Node> {
    let parsed = scraper::Html::parse_fragment(html);
    // A parsed fragment is a root holding one `html` element holding the
    // fragment's nodes.
    let Some(root) = parsed
        .tree
        .root()
        .children()
        .find(|child| child.value().is_element())
    else {
        return Vec::new();
    };
    let mut converter = Converter {
        fill,
        files,
        sentence: String::new(),
        depth: 0,
    };
    converter.nodes(root.children(), Ctx::FLOW)
}

/// Where a node stands: whether only phrasing content is allowed, and the
/// elements HTML5 forbids inside themselves.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    phrasing: bool,
    in_link: bool,
    in_dfn: bool,
    in_ruby: bool,
}

impl Ctx {
    const FLOW: Ctx = Ctx {
        phrasing: false,
        in_link: false,
        in_dfn: false,
        in_ruby: false,
    };

    fn phrasing(self) -> Ctx {
        Ctx {
            phrasing: true,
            ..self
        }
    }

    fn flow(self) -> Ctx {
        Ctx {
            phrasing: false,
            ..self
        }
    }
}

/// Elements removed with everything inside them: they run, reach out, or
/// hold no prose.
const REMOVED_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "math",
    "svg",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "xmp",
    "title",
    "template",
    "textarea",
    "select",
    "object",
    "embed",
    "head",
    "canvas",
    "button",
    "input",
    "map",
    "frameset",
];

/// Inline elements written as they are.
const PHRASING: &[&str] = &[
    "b", "i", "em", "strong", "u", "s", "small", "sub", "sup", "code", "kbd", "samp", "var",
    "cite", "q", "abbr", "span", "bdi", "mark",
];

/// Blocks whose content is inline only.
const PHRASING_BLOCKS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"];

/// `name` as the `'static` entry of `list` that spells it.
fn known(list: &[&'static str], name: &str) -> Option<&'static str> {
    list.iter().copied().find(|n| *n == name)
}

type Children<'a> = ego_tree::iter::Children<'a, HtmlNode>;

struct Converter<'f> {
    fill: &'f FillProfile,
    files: &'f dyn ArchiveFiles,
    /// The text of the current block so far: whether a placeholder starts
    /// a sentence depends on it.
    sentence: String,
    /// Elements open around the node being converted.
    depth: usize,
}

/// Nesting deeper than this keeps only its text: no story needs it, and
/// converting (and later writing and dropping) the tree recurses once a
/// level, so hostile input nested a hundred thousand deep would otherwise
/// overflow the stack.
const MAX_DEPTH: usize = 128;

impl Converter<'_> {
    fn nodes<'a>(
        &mut self,
        nodes: impl IntoIterator<Item = NodeRef<'a, HtmlNode>>,
        ctx: Ctx,
    ) -> Vec<Node> {
        let mut out = Vec::new();
        for node in nodes {
            self.node(node, ctx, &mut out);
        }
        out
    }

    fn node(&mut self, node: NodeRef<'_, HtmlNode>, ctx: Ctx, out: &mut Vec<Node>) {
        match node.value() {
            HtmlNode::Text(text) => {
                let text = clean_chars(&self.filled(text));
                if !text.is_empty() {
                    push_text(out, text);
                }
            }
            HtmlNode::Element(element) => {
                if &*element.name.ns != "http://www.w3.org/1999/xhtml"
                    || REMOVED_WITH_CONTENT.contains(&element.name())
                {
                    return;
                }
                if self.depth >= MAX_DEPTH {
                    let text: String = node
                        .descendants()
                        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                        .collect();
                    let text = clean_chars(&self.filled(&text));
                    if !text.is_empty() {
                        push_text(out, text);
                    }
                    return;
                }
                self.depth += 1;
                self.element(node, element, ctx, out);
                self.depth -= 1;
            }
            _ => {}
        }
    }

    fn filled(&mut self, text: &str) -> String {
        let filled = fill_after(&self.sentence, text, self.fill);
        self.sentence.push_str(text);
        // Only the end of the text so far decides a sentence start.
        if self.sentence.len() > 256 {
            self.sentence = tail(&self.sentence, 64).to_string();
        }
        filled
    }

    fn block_start(&mut self) {
        self.sentence.clear();
    }

    fn element(
        &mut self,
        node: NodeRef<'_, HtmlNode>,
        element: &scraper::node::Element,
        ctx: Ctx,
        out: &mut Vec<Node>,
    ) {
        let name = element.name();
        let attrs = || common_attrs(element);
        if REMOVED_WITH_CONTENT.contains(&name) {
            return;
        }
        if let Some(name) = known(PHRASING, name) {
            let shell = Element::new(name, Vec::new()).with_attrs(attrs());
            return self.inline(node, shell, ctx, out);
        }
        if let Some(name) = known(PHRASING_BLOCKS, name) {
            return self.block(node, name, attrs(), ctx, true, out);
        }
        match name {
            "audio" | "video" | "iframe" => {
                // A book plays nothing and fetches nothing: the embed is
                // named, with a link to where it plays.
                let kind = match name {
                    "audio" => "audio",
                    "video" => "video",
                    _ => "embedded media",
                };
                let address = element
                    .attr("src")
                    .or_else(|| {
                        node.children()
                            .filter_map(|child| child.value().as_element())
                            .filter(|child| child.name() == "source")
                            .find_map(|source| source.attr("src"))
                    })
                    .and_then(|a| web_link(a).or_else(|| self.files.file_link(a)));
                let label = match &address {
                    Some(href) => clean_chars(&format!("[{kind}: {href}]")),
                    None => format!("[{kind}]"),
                };
                match address {
                    Some(href) if !ctx.in_link => out.push(Node::Element(
                        Element::new("a", vec![Node::Text(label)]).with_attrs(vec![("href", href)]),
                    )),
                    _ => push_text(out, label),
                }
            }
            "img" => {
                let alt = element.attr("alt").map(str::trim).unwrap_or("");
                // The archive's own pictures travel with the download.
                if let Some(src) = element.attr("src").and_then(|a| self.files.picture_src(a)) {
                    out.push(Node::Element(
                        Element::new("img", Vec::new())
                            .with_attrs(vec![("src", src), ("alt", clean_chars(alt))]),
                    ));
                    return;
                }
                // Nothing remote may be fetched; the alt text tells the
                // reader what was there.
                if let Some(alt) = Some(alt).filter(|a| !a.is_empty()) {
                    push_text(out, clean_chars(&format!("[image: {alt}]")));
                }
            }
            "br" => {
                self.sentence.push('\n');
                out.push(Node::Element(Element::new("br", Vec::new())));
            }
            "hr" => {
                if !ctx.phrasing {
                    self.block_start();
                    out.push(Node::Element(
                        Element::new("hr", Vec::new()).with_attrs(attrs()),
                    ));
                }
            }
            "a" if !ctx.in_link => {
                let mut attrs = attrs();
                if let Some(href) = element
                    .attr("href")
                    .and_then(|a| web_link(a).or_else(|| self.files.file_link(a)))
                {
                    attrs.push(("href", href));
                }
                let inner = Ctx {
                    in_link: true,
                    ..ctx
                };
                self.inline(
                    node,
                    Element::new("a", Vec::new()).with_attrs(attrs),
                    inner,
                    out,
                );
            }
            "dfn" if !ctx.in_dfn => {
                let inner = Ctx {
                    in_dfn: true,
                    ..ctx
                };
                self.inline(
                    node,
                    Element::new("dfn", Vec::new()).with_attrs(attrs()),
                    inner,
                    out,
                );
            }
            "ruby" if !ctx.in_ruby => {
                let inner = Ctx {
                    in_ruby: true,
                    ..ctx.phrasing()
                };
                let children = self.ruby_children(node.children(), inner);
                out.extend(ruby(children, attrs()));
            }
            "ins" | "del" => {
                // HTML5 lets these hold whatever their parent may: they
                // stay where they stand, with content of the same kind.
                let name = if name == "ins" { "ins" } else { "del" };
                let children = self.nodes(node.children(), ctx);
                out.push(Node::Element(
                    Element::new(name, children).with_attrs(attrs()),
                ));
            }
            "strike" | "big" | "tt" | "acronym" => {
                // AO3 allows these; HTML5 doesn't: the nearest it has.
                let (name, class) = match name {
                    "strike" => ("s", None),
                    "acronym" => ("abbr", None),
                    "big" => ("span", Some("big")),
                    _ => ("span", Some("tt")),
                };
                let mut attrs = attrs();
                if let Some(class) = class {
                    add_class(&mut attrs, class);
                }
                self.inline(
                    node,
                    Element::new(name, Vec::new()).with_attrs(attrs),
                    ctx,
                    out,
                );
            }
            "div" | "blockquote" | "figcaption" | "li" | "dd" | "td" | "th" | "center"
            | "address" | "summary" | "dt" | "caption" | "section" | "article" | "aside"
            | "header" | "footer" | "main" | "nav" => {
                // Out of their own parents (those handle them), these are
                // plain blocks.
                let mut attrs = attrs();
                let name = match name {
                    "blockquote" => {
                        attrs.extend(own_attrs(name, element));
                        "blockquote"
                    }
                    "center" | "address" => {
                        add_class(&mut attrs, name);
                        "div"
                    }
                    _ => "div",
                };
                self.block(node, name, attrs, ctx, false, out);
            }
            "ul" | "ol" if !ctx.phrasing => {
                self.block_start();
                let name = if name == "ul" { "ul" } else { "ol" };
                let items = self.wrapped_runs(node.children(), ctx, &["li"], "li", |me, n, c| {
                    me.block_start();
                    Element::new("li", me.nodes(n.children(), c.flow()))
                });
                let mut attrs = attrs();
                attrs.extend(own_attrs(name, element));
                out.push(Node::Element(Element::new(name, items).with_attrs(attrs)));
            }
            "dl" if !ctx.phrasing => {
                self.block_start();
                let items =
                    self.wrapped_runs(node.children(), ctx, &["dt", "dd"], "dd", |me, n, c| {
                        me.block_start();
                        match n.value().as_element().map(|e| e.name()) {
                            Some("dt") => Element::new("dt", me.nodes(n.children(), c.phrasing())),
                            _ => Element::new("dd", me.nodes(n.children(), c.flow())),
                        }
                    });
                out.push(Node::Element(Element::new("dl", items).with_attrs(attrs())));
            }
            "table" if !ctx.phrasing => {
                self.block_start();
                let table = self.table(node, ctx);
                out.push(Node::Element(table.with_attrs(attrs())));
            }
            "details" if !ctx.phrasing => {
                self.block_start();
                let details = self.with_first(node, ctx, "details", "summary");
                let mut attrs = attrs();
                attrs.extend(own_attrs(name, element));
                out.push(Node::Element(details.with_attrs(attrs)));
            }
            "figure" if !ctx.phrasing => {
                self.block_start();
                let figure = self.with_first(node, ctx, "figure", "figcaption");
                out.push(Node::Element(figure.with_attrs(attrs())));
            }
            "ul" | "ol" | "dl" | "table" | "details" | "figure" => {
                self.unwrap_block(node, ctx, out);
            }
            _ => {
                // Unknown or misplaced elements (a nested link, a stray
                // row): their content stays where they stood.
                out.extend(self.nodes(node.children(), ctx));
            }
        }
    }

    /// An inline element: its content as it is where only inline content
    /// may stand, or, where blocks may stand, blocks it holds pulled out
    /// with the element repeated inside each.
    fn inline(
        &mut self,
        node: NodeRef<'_, HtmlNode>,
        shell: Element,
        ctx: Ctx,
        out: &mut Vec<Node>,
    ) {
        if ctx.phrasing {
            let children = self.nodes(node.children(), ctx);
            out.push(Node::Element(Element { children, ..shell }));
        } else {
            let children = self.nodes(node.children(), ctx);
            out.extend(distribute(&shell, children));
        }
    }

    fn block(
        &mut self,
        node: NodeRef<'_, HtmlNode>,
        name: &'static str,
        attrs: Vec<(&'static str, String)>,
        ctx: Ctx,
        phrasing_content: bool,
        out: &mut Vec<Node>,
    ) {
        if ctx.phrasing {
            self.unwrap_block(node, ctx, out);
            return;
        }
        self.block_start();
        let inner = if phrasing_content {
            ctx.phrasing()
        } else {
            ctx.flow()
        };
        let children = self.nodes(node.children(), inner);
        self.block_start();
        out.push(Node::Element(
            Element::new(name, children).with_attrs(attrs),
        ));
    }

    /// A block where only inline content may stand: its content stays,
    /// set off by spaces so words don't run together.
    fn unwrap_block(&mut self, node: NodeRef<'_, HtmlNode>, ctx: Ctx, out: &mut Vec<Node>) {
        let children = self.nodes(node.children(), ctx);
        if !children.is_empty() {
            push_text(out, " ".into());
            out.extend(children);
            push_text(out, " ".into());
        }
    }

    /// The children of a list-like element: those named `allowed` through
    /// `make`, every run of anything else wrapped in a `wrapper` made from
    /// it. White space between items goes.
    fn wrapped_runs<'a>(
        &mut self,
        children: Children<'a>,
        ctx: Ctx,
        allowed: &[&str],
        wrapper: &'static str,
        mut make: impl FnMut(&mut Self, NodeRef<'a, HtmlNode>, Ctx) -> Element,
    ) -> Vec<Node> {
        let mut items = Vec::new();
        let mut run: Vec<NodeRef<'a, HtmlNode>> = Vec::new();
        let flush = |me: &mut Self, run: &mut Vec<NodeRef<'a, HtmlNode>>, items: &mut Vec<Node>| {
            if run.is_empty() {
                return;
            }
            me.block_start();
            let content = me.nodes(run.drain(..), ctx.flow());
            if !is_blank(&content) {
                items.push(Node::Element(Element::new(wrapper, content)));
            }
        };
        for child in children {
            let name = child.value().as_element().map(|e| e.name());
            match name {
                Some(name) if allowed.contains(&name) => {
                    flush(self, &mut run, &mut items);
                    let attrs = child
                        .value()
                        .as_element()
                        .map(common_attrs)
                        .unwrap_or_default();
                    items.push(Node::Element(make(self, child, ctx).with_attrs(attrs)));
                }
                _ => run.push(child),
            }
        }
        flush(self, &mut run, &mut items);
        items
    }

    /// `details` and `figure`: the first `summary` / `figcaption` goes
    /// first, as HTML5 wants; any other is a plain block.
    fn with_first(
        &mut self,
        node: NodeRef<'_, HtmlNode>,
        ctx: Ctx,
        name: &'static str,
        first: &'static str,
    ) -> Element {
        let mut head = None;
        let mut rest = Vec::new();
        for child in node.children() {
            let is_first = child
                .value()
                .as_element()
                .is_some_and(|e| e.name() == first);
            if is_first && head.is_none() {
                self.block_start();
                let inner = if first == "summary" {
                    ctx.phrasing()
                } else {
                    ctx.flow()
                };
                let attrs = child
                    .value()
                    .as_element()
                    .map(common_attrs)
                    .unwrap_or_default();
                head = Some(
                    Element::new(first, self.nodes(child.children(), inner)).with_attrs(attrs),
                );
                self.block_start();
            } else {
                self.node(child, ctx.flow(), &mut rest);
            }
        }
        let mut children: Vec<Node> = head.map(Node::Element).into_iter().collect();
        children.extend(rest);
        Element::new(name, children)
    }

    /// A table in HTML5's order: caption, column groups, head, bodies,
    /// foot; rows of cells only.
    fn table(&mut self, node: NodeRef<'_, HtmlNode>, ctx: Ctx) -> Element {
        let mut caption = None;
        let mut colgroups = Vec::new();
        let mut head = None;
        let mut bodies = Vec::new();
        let mut foot = None;
        let mut stray: Vec<NodeRef<'_, HtmlNode>> = Vec::new();
        for child in node.children() {
            let element = child.value().as_element();
            let name = element.map(|e| e.name()).unwrap_or("");
            let attrs = || element.map(common_attrs).unwrap_or_default();
            match name {
                "caption" if caption.is_none() => {
                    self.block_start();
                    caption = Some(
                        Element::new("caption", self.nodes(child.children(), ctx.phrasing()))
                            .with_attrs(attrs()),
                    );
                }
                "colgroup" | "col" => {
                    let cols = if name == "col" {
                        vec![Node::Element(col(child))]
                    } else {
                        child
                            .children()
                            .filter(|c| c.value().as_element().is_some_and(|e| e.name() == "col"))
                            .map(|c| Node::Element(col(c)))
                            .collect()
                    };
                    let mut group = Element::new("colgroup", cols).with_attrs(attrs());
                    if name == "colgroup" {
                        if let Some(span) =
                            element.and_then(|e| e.attr("span")).and_then(span_value)
                        {
                            if group.children.is_empty() {
                                group.attrs.push(("span", span));
                            }
                        }
                    }
                    colgroups.push(Node::Element(group));
                }
                "thead" if head.is_none() => {
                    head = Some(
                        Element::new("thead", self.rows(child.children(), ctx)).with_attrs(attrs()),
                    );
                }
                "tfoot" if foot.is_none() => {
                    foot = Some(
                        Element::new("tfoot", self.rows(child.children(), ctx)).with_attrs(attrs()),
                    );
                }
                "tbody" | "thead" | "tfoot" => {
                    if !stray.is_empty() {
                        let rows = self.rows_of(std::mem::take(&mut stray), ctx);
                        if !rows.is_empty() {
                            bodies.push(Node::Element(Element::new("tbody", rows)));
                        }
                    }
                    bodies.push(Node::Element(
                        Element::new("tbody", self.rows(child.children(), ctx)).with_attrs(attrs()),
                    ));
                }
                _ => stray.push(child),
            }
        }
        if !stray.is_empty() {
            let rows = self.rows_of(stray, ctx);
            if !rows.is_empty() {
                bodies.push(Node::Element(Element::new("tbody", rows)));
            }
        }
        let mut children: Vec<Node> = caption.map(Node::Element).into_iter().collect();
        children.extend(colgroups);
        children.extend(head.map(Node::Element));
        children.extend(bodies);
        children.extend(foot.map(Node::Element));
        self.block_start();
        Element::new("table", children)
    }

    fn rows(&mut self, children: Children<'_>, ctx: Ctx) -> Vec<Node> {
        self.rows_of(children.collect(), ctx)
    }

    /// Rows from a table section's children: a `tr` is a row, any run of
    /// other content one more row.
    fn rows_of(&mut self, children: Vec<NodeRef<'_, HtmlNode>>, ctx: Ctx) -> Vec<Node> {
        let mut rows = Vec::new();
        let mut run = Vec::new();
        for child in children {
            match child.value().as_element() {
                Some(element) if element.name() == "tr" => {
                    if !run.is_empty() {
                        let cells = self.cells(std::mem::take(&mut run), ctx);
                        if !cells.is_empty() {
                            rows.push(Node::Element(Element::new("tr", cells)));
                        }
                    }
                    let cells = self.cells(child.children().collect(), ctx);
                    rows.push(Node::Element(
                        Element::new("tr", cells).with_attrs(common_attrs(element)),
                    ));
                }
                _ => run.push(child),
            }
        }
        if !run.is_empty() {
            let cells = self.cells(run, ctx);
            if !cells.is_empty() {
                rows.push(Node::Element(Element::new("tr", cells)));
            }
        }
        rows
    }

    /// Cells from a row's children: `td` and `th` as they are (a header
    /// cell holds inline content only), any other content a cell of its
    /// own.
    fn cells(&mut self, children: Vec<NodeRef<'_, HtmlNode>>, ctx: Ctx) -> Vec<Node> {
        let mut cells = Vec::new();
        let mut run = Vec::new();
        let flush = |me: &mut Self, run: &mut Vec<NodeRef<'_, HtmlNode>>, cells: &mut Vec<Node>| {
            if run.is_empty() {
                return;
            }
            me.block_start();
            let content = me.nodes(run.drain(..), ctx.flow());
            if !is_blank(&content) {
                cells.push(Node::Element(Element::new("td", content)));
            }
        };
        for child in children {
            match child.value().as_element() {
                Some(element) if matches!(element.name(), "td" | "th") => {
                    flush(self, &mut run, &mut cells);
                    self.block_start();
                    let (name, inner) = if element.name() == "th" {
                        ("th", ctx.phrasing())
                    } else {
                        ("td", ctx.flow())
                    };
                    let content = self.nodes(child.children(), inner);
                    let mut attrs = common_attrs(element);
                    attrs.extend(own_attrs(name, element));
                    cells.push(Node::Element(Element::new(name, content).with_attrs(attrs)));
                }
                _ => run.push(child),
            }
        }
        flush(self, &mut run, &mut cells);
        cells
    }

    /// A ruby's children, its `rt` and `rp` kept as themselves.
    fn ruby_children(&mut self, children: Children<'_>, ctx: Ctx) -> Vec<Node> {
        let mut out = Vec::new();
        for child in children {
            match child.value().as_element().map(|e| e.name()) {
                Some(name @ ("rt" | "rp")) => {
                    let name = if name == "rt" { "rt" } else { "rp" };
                    let content = self.nodes(child.children(), ctx);
                    out.push(Node::Element(Element::new(name, content)));
                }
                _ => self.node(child, ctx, &mut out),
            }
        }
        out
    }
}

/// Pulls blocks out of an inline element: runs of inline content are
/// wrapped in it, and blocks get it inside them (down to where inline
/// content stands).
fn distribute(shell: &Element, nodes: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::new();
    let mut run: Vec<Node> = Vec::new();
    let flush = |run: &mut Vec<Node>, out: &mut Vec<Node>| {
        if run.is_empty() {
            return;
        }
        if is_blank(run) {
            out.append(run);
        } else {
            let mut wrapped = shell.shell();
            wrapped.children = std::mem::take(run);
            out.push(Node::Element(wrapped));
        }
    };
    for node in nodes {
        match node {
            Node::Element(mut element) if !is_inline(element.name) => {
                flush(&mut run, &mut out);
                match element.name {
                    "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "pre" | "dt" | "th"
                    | "caption" | "summary" => {
                        if !element.children.is_empty() {
                            let mut wrapped = shell.shell();
                            wrapped.children = std::mem::take(&mut element.children);
                            element.children = vec![Node::Element(wrapped)];
                        }
                    }
                    "hr" | "br" | "col" | "colgroup" => {}
                    _ => {
                        let children = std::mem::take(&mut element.children);
                        element.children = distribute(shell, children);
                    }
                }
                out.push(Node::Element(element));
            }
            other => run.push(other),
        }
    }
    flush(&mut run, &mut out);
    out
}

fn is_inline(name: &str) -> bool {
    PHRASING.contains(&name) || matches!(name, "a" | "dfn" | "br" | "ruby" | "rt" | "rp")
}

fn is_blank(nodes: &[Node]) -> bool {
    nodes
        .iter()
        .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()))
}

/// A ruby as HTML5 allows it (runs of base text each followed by `rt` or
/// `rp rt rp`), or, when the author's isn't, its annotations in
/// parentheses after their base.
fn ruby(mut children: Vec<Node>, attrs: Vec<(&'static str, String)>) -> Vec<Node> {
    while matches!(children.last(), Some(Node::Text(t)) if t.trim().is_empty()) {
        children.pop();
    }
    let kinds: Vec<&str> = children
        .iter()
        .map(|n| match n {
            Node::Element(e) if e.name == "rt" => "rt",
            Node::Element(e) if e.name == "rp" => "rp",
            _ => "base",
        })
        .collect();
    let mut i = 0;
    let mut valid = false;
    while i < kinds.len() {
        match kinds[i] {
            "base" => {
                valid = false;
                i += 1;
            }
            "rt" => {
                valid = true;
                i += 1;
            }
            _ => {
                if kinds.get(i + 1) == Some(&"rt") && kinds.get(i + 2) == Some(&"rp") {
                    valid = true;
                    i += 3;
                } else {
                    valid = false;
                    break;
                }
            }
        }
    }
    if valid {
        return vec![Node::Element(
            Element::new("ruby", children).with_attrs(attrs),
        )];
    }
    let mut out = Vec::new();
    for child in children {
        match child {
            Node::Element(e) if e.name == "rt" => {
                push_text(&mut out, "(".into());
                out.extend(e.children);
                push_text(&mut out, ")".into());
            }
            Node::Element(e) if e.name == "rp" => {}
            other => out.push(other),
        }
    }
    out
}

fn col(node: NodeRef<'_, HtmlNode>) -> Element {
    let mut element = Element::new("col", Vec::new());
    if let Some(e) = node.value().as_element() {
        element.attrs = common_attrs(e);
        if let Some(span) = e.attr("span").and_then(span_value) {
            element.attrs.push(("span", span));
        }
    }
    element
}

fn span_value(value: &str) -> Option<String> {
    value
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .map(|n| n.to_string())
}

/// The attributes AO3 allows on one element that HTML5 keeps on it, in
/// forms HTML5 accepts: a cell's span and scope, a list's start and
/// numbering, a quotation's source, an open `details`. (AO3's widths,
/// borders and a table's summary are presentational; EPUB's HTML has
/// none of them.)
fn own_attrs(name: &str, element: &scraper::node::Element) -> Vec<(&'static str, String)> {
    let mut attrs = Vec::new();
    let value = |attr: &str| element.attr(attr).map(str::trim);
    match name {
        "td" | "th" => {
            if let Some(span) = value("colspan").and_then(span_value) {
                attrs.push(("colspan", span));
            }
            if let Some(span) = value("rowspan").and_then(span_value) {
                attrs.push(("rowspan", span));
            }
            if name == "th" {
                if let Some(scope) = value("scope")
                    .map(str::to_ascii_lowercase)
                    .filter(|s| matches!(s.as_str(), "row" | "col" | "rowgroup" | "colgroup"))
                {
                    attrs.push(("scope", scope));
                }
                if let Some(abbr) = value("abbr").map(clean_chars).filter(|a| !a.is_empty()) {
                    attrs.push(("abbr", abbr));
                }
            }
        }
        "ol" => {
            if let Some(start) = value("start").and_then(|s| s.parse::<i32>().ok()) {
                attrs.push(("start", start.to_string()));
            }
            if let Some(kind) = value("type").filter(|t| matches!(*t, "1" | "a" | "A" | "i" | "I"))
            {
                attrs.push(("type", kind.to_string()));
            }
        }
        "blockquote" => {
            if let Some(cite) = value("cite").and_then(web_link) {
                attrs.push(("cite", cite));
            }
        }
        "details" if element.attr("open").is_some() => attrs.push(("open", "open".into())),
        _ => {}
    }
    attrs
}

/// The attributes AO3 allows everywhere, in forms HTML5 accepts: `align`
/// becomes a class the stylesheet knows.
fn common_attrs(element: &scraper::node::Element) -> Vec<(&'static str, String)> {
    let mut attrs = Vec::new();
    let mut classes: Vec<String> = element
        .attr("class")
        .unwrap_or("")
        .split_ascii_whitespace()
        .filter(|c| quire_archive::sanitize::is_class_name(c))
        .map(str::to_string)
        .collect();
    if let Some(align) = element.attr("align") {
        let align = align.trim().to_ascii_lowercase();
        if matches!(align.as_str(), "left" | "right" | "center" | "justify") {
            classes.push(format!("align-{align}"));
        }
    }
    classes.dedup();
    if !classes.is_empty() {
        attrs.push(("class", classes.join(" ")));
    }
    if let Some(title) = element.attr("title") {
        let title = clean_chars(title);
        if !title.is_empty() {
            attrs.push(("title", title));
        }
    }
    if let Some(lang) = element
        .attr("lang")
        .map(str::trim)
        .filter(|l| is_language_tag(l))
    {
        attrs.push(("lang", lang.to_string()));
    }
    if let Some(dir) = element.attr("dir") {
        let dir = dir.trim().to_ascii_lowercase();
        if matches!(dir.as_str(), "ltr" | "rtl" | "auto") {
            attrs.push(("dir", dir));
        }
    }
    attrs
}

fn add_class(attrs: &mut Vec<(&'static str, String)>, class: &str) {
    match attrs.iter_mut().find(|(n, _)| *n == "class") {
        Some((_, value)) => {
            value.push(' ');
            value.push_str(class);
        }
        None => attrs.insert(0, ("class", class.to_string())),
    }
}

/// A well-formed BCP 47 tag as far as epubcheck looks: `en`, `pt-BR`,
/// `zh-Hant-TW`.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An absolute http(s) link, normalised (percent-encoded) so that any
/// reader takes it; anything else (relative, other schemes) is dropped,
/// as there is nothing inside the book for it to point at.
pub(crate) fn web_link(href: &str) -> Option<String> {
    let url = url::Url::parse(href.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    Some(url.to_string())
}

fn push_text(out: &mut Vec<Node>, text: String) {
    if let Some(Node::Text(last)) = out.last_mut() {
        last.push_str(&text);
    } else {
        out.push(Node::Text(text));
    }
}

/// `text` filled as if it followed `before` in the same block: a value
/// that starts a sentence gets its capital even when the sentence began in
/// an earlier text node. The text pipeline's own fill does the work.
pub(crate) fn fill_after(before: &str, text: &str, fill: &FillProfile) -> String {
    if fill.is_empty() {
        return text.to_string();
    }
    let context = tail(before, 32);
    let whole = quire_text::insert::fill(&format!("{context}{text}"), fill);
    let context_filled = quire_text::insert::fill(context, fill);
    match whole.strip_prefix(&context_filled) {
        Some(rest) => rest.to_string(),
        // A placeholder ran across the boundary: the text alone decides.
        None => quire_text::insert::fill(text, fill),
    }
}

/// The last `chars` characters of `text`.
fn tail(text: &str, chars: usize) -> &str {
    let start = text
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &text[start..]
}

/// Text without the characters XML 1.0 forbids, nor C1 controls (mojibake
/// leftovers no reader shows).
pub(crate) fn clean_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || (c >= ' '
                    && !('\u{7f}'..='\u{9f}').contains(&c)
                    && c != '\u{fffe}'
                    && c != '\u{ffff}')
        })
        .map(|c| if c == '\r' { '\n' } else { c })
        .collect()
}

/// Text escaped for XML (and HTML) element content.
pub(crate) fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Text escaped for a double-quoted attribute.
pub(crate) fn escape_attr(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
}

/// Plain text (no markup), cleaned and escaped.
pub(crate) fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_text(&clean_chars(text), &mut out);
    out
}

/// Plain text for an attribute, cleaned and escaped.
pub(crate) fn attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_attr(&clean_chars(text), &mut out);
    out
}

const VOID: &[&str] = &["br", "hr", "col", "img"];

/// Writes nodes as XHTML (which HTML5 parsers read the same).
pub fn write_nodes(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => escape_text(t, out),
            Node::Element(e) => write_element(e, out),
        }
    }
}

fn write_element(element: &Element, out: &mut String) {
    out.push('<');
    out.push_str(element.name);
    for (name, value) in &element.attrs {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape_attr(value, out);
        out.push('"');
    }
    if VOID.contains(&element.name) {
        out.push_str("/>");
        return;
    }
    out.push('>');
    write_nodes(&element.children, out);
    out.push_str("</");
    out.push_str(element.name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(html: &str) -> String {
        to_xhtml(html, &FillProfile::new())
    }

    fn well_formed(xhtml: &str) {
        let doc = format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{xhtml}</div>");
        if let Err(err) = roxmltree::Document::parse(&doc) {
            panic!("not well-formed ({err}): {xhtml}");
        }
    }

    #[test]
    fn html_entities_and_void_elements_become_xml() {
        let out = x("<p>a&nbsp;b<br>c &amp; &lt;d&gt;</p><hr>");
        assert_eq!(out, "<p>a\u{a0}b<br/>c &amp; &lt;d&gt;</p><hr/>");
        well_formed(&out);
    }

    #[test]
    fn scripts_and_remote_images_go() {
        let out = x("<p>Hi<script>alert(1)</script><img src=\"https://evil.example/x.png\" alt=\"a moodboard\"><img src=\"http://x.example/y.png\"></p>");
        assert_eq!(out, "<p>Hi[image: a moodboard]</p>");
    }

    #[test]
    fn embeds_become_links_to_where_they_play() {
        let out = x(concat!(
            "<p>Listen: <audio src=\"https://example.org/ep1.mp3\" controls=\"controls\">Your reader has no audio.</audio></p>",
            "<video controls=\"controls\"><source src=\"https://example.org/v.webm\"><track src=\"https://example.org/c.vtt\"></video>",
            "<iframe src=\"https://www.youtube.com/embed/abc\" sandbox=\"allow-scripts\"></iframe>",
            "<p><a href=\"https://example.org/\">in a link <audio src=\"https://example.org/2.mp3\"></audio></a></p>",
            "<audio src=\"/local.mp3\"></audio>",
        ));
        assert_eq!(
            out,
            concat!(
                "<p>Listen: <a href=\"https://example.org/ep1.mp3\">[audio: https://example.org/ep1.mp3]</a></p>",
                "<a href=\"https://example.org/v.webm\">[video: https://example.org/v.webm]</a>",
                "<a href=\"https://www.youtube.com/embed/abc\">[embedded media: https://www.youtube.com/embed/abc]</a>",
                "<p><a href=\"https://example.org/\">in a link [audio: https://example.org/2.mp3]</a></p>",
                "[audio]",
            )
        );
        well_formed(&out);
    }

    #[test]
    fn insertions_and_deletions_stay_inline_or_around_blocks() {
        assert_eq!(
            x("<p>a <del>b</del> <ins>c</ins></p><del><p>d</p></del>"),
            "<p>a <del>b</del> <ins>c</ins></p><del><p>d</p></del>"
        );
        assert_eq!(
            x("<em><del><p>e</p></del></em>"),
            "<del><p><em>e</em></p></del>"
        );
    }

    #[test]
    fn old_elements_become_html5() {
        let out = x("<center>c</center><p align=\"center\"><big>b</big> <tt>t</tt> <strike>s</strike> <acronym title=\"x\">y</acronym></p>");
        assert_eq!(
            out,
            "<div class=\"center\">c</div><p class=\"align-center\"><span class=\"big\">b</span> <span class=\"tt\">t</span> <s>s</s> <abbr title=\"x\">y</abbr></p>"
        );
    }

    #[test]
    fn blocks_inside_inline_elements_are_pulled_out() {
        let out = x("<em><p>one</p><p>two</p></em>");
        assert_eq!(out, "<p><em>one</em></p><p><em>two</em></p>");
        let out = x("<b>lead<div><p>in</p></div>tail</b>");
        assert_eq!(out, "<b>lead</b><div><p><b>in</b></p></div><b>tail</b>");
    }

    #[test]
    fn stray_items_get_their_parents() {
        assert_eq!(
            x("<ul> <li>a</li> b <p>c</p></ul>"),
            "<ul><li>a</li><li> b <p>c</p></li></ul>"
        );
        assert_eq!(x("<li>lonely</li>"), "<div>lonely</div>");
        assert_eq!(
            x("<dl><dt>t</dt>x<dd>d</dd></dl>"),
            "<dl><dt>t</dt><dd>x</dd><dd>d</dd></dl>"
        );
    }

    #[test]
    fn tables_keep_html5_order() {
        let out = x("<table><tbody><tr><td>b</td></tr></tbody><thead><tr><th><p>h</p></th></tr></thead><caption>c</caption></table>");
        assert_eq!(
            out,
            "<table><caption>c</caption><thead><tr><th> h </th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>"
        );
    }

    /// What AO3 keeps on one element comes through where HTML5 allows it,
    /// and nowhere else.
    #[test]
    fn spans_list_starts_sources_and_open_details_come_through() {
        let out = x(
            "<table><tr><th scope=\"col\" colspan=\"2\" abbr=\"W\">Words</th></tr>\
             <tr><td rowspan=\"2\" colspan=\"x\" width=\"50\">1</td></tr></table>\
             <ol start=\"5\" type=\"i\"><li>five</li></ol><ol start=\"five\"><li>x</li></ol>\
             <blockquote cite=\"https://example.org/s\"><p>q</p></blockquote>\
             <blockquote cite=\"javascript:alert(1)\"><p>r</p></blockquote>\
             <details open=\"\"><summary>More</summary><p>m</p></details>",
        );
        well_formed(&out);
        for kept in [
            "<th colspan=\"2\" scope=\"col\" abbr=\"W\">",
            "<td rowspan=\"2\">",
            "<ol start=\"5\" type=\"i\">",
            "<ol><li>",
            "<blockquote cite=\"https://example.org/s\">",
            "<blockquote><p>r",
            "<details open=\"open\">",
        ] {
            assert!(out.contains(kept), "{kept} not in {out}");
        }
        assert!(
            !out.contains("width") && !out.contains("javascript"),
            "{out}"
        );
    }

    #[test]
    fn links_only_to_the_web() {
        assert_eq!(
            x("<a href=\"https://ex.example/a b\" rel=\"nofollow\">x</a><a href=\"/works/2\">y</a><a href=\"javascript:alert(1)\">z</a>"),
            "<a href=\"https://ex.example/a%20b\">x</a><a>y</a><a>z</a>"
        );
        assert_eq!(
            x("<a href=\"https://a.example\"><a href=\"https://b.example\">in</a></a>"),
            "<a href=\"https://b.example/\">in</a>",
            "the parser closes the outer link; left empty, it goes"
        );
    }

    #[test]
    fn ruby_kept_when_valid_and_spelled_out_when_not() {
        assert_eq!(
            x("<ruby>漢<rt>kan</rt></ruby>"),
            "<ruby>漢<rt>kan</rt></ruby>"
        );
        assert_eq!(
            x("<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>"),
            "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>"
        );
        assert_eq!(x("<ruby>漢<rt>kan</rt>字</ruby>"), "漢(kan)字");
    }

    #[test]
    fn hostile_nesting_keeps_its_text_without_overflowing() {
        for tag in ["div", "b", "ul", "table", "blockquote"] {
            let html = format!(
                "{}deep{}",
                format!("<{tag}>").repeat(5_000),
                format!("</{tag}>").repeat(5_000)
            );
            let out = x(&html);
            assert!(out.contains("deep"), "{tag}");
            well_formed(&out);
        }
    }

    #[test]
    fn forbidden_characters_go_and_attributes_are_escaped() {
        let out = x("<p title='a\"b<c'>x\u{1}y\u{85}z</p>");
        assert_eq!(out, "<p title=\"a&quot;b&lt;c\">xyz</p>");
        well_formed(&out);
    }

    #[test]
    fn placeholders_fill_in_text_only_with_sentence_starts() {
        let mut fill = FillProfile::new();
        fill.set_pair("Y/N=alex").unwrap();
        let out = to_xhtml(
            "<p>y/n smiled. <em>y/n</em> <a title=\"Y/N\">said</a> to <i>y/n</i>.</p>",
            &fill,
        );
        assert_eq!(
            out,
            "<p>Alex smiled. <em>Alex</em> <a title=\"Y/N\">said</a> to <i>alex</i>.</p>"
        );
        let out = to_xhtml("<p>x & Y/N <b>&lt;</b></p>", &{
            let mut f = FillProfile::new();
            f.set_pair("Y/N=<Al & Co>").unwrap();
            f
        });
        assert_eq!(out, "<p>x &amp; &lt;Al &amp; Co&gt; <b>&lt;</b></p>");
    }
}
