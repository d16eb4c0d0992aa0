/**
 * One interactive atlas figure: OpenSeadragon showing a view's pyramid, with the overlay (focus, outlines,
 * labels), the cell tooltip, the controls the component rendered (buttons, layer switcher, class search, copy
 * link) and the state that links, deep links and scrollytelling set. Loaded only when a figure nears the viewport.
 */
import OpenSeadragon from 'openseadragon';
import { CellStore, attributionTo, type LocatedCell } from './cells.ts';
import { readConfig, tileSourceOf, type Box, type ClientView, type FigureConfig, type ViewState } from './config.ts';
import { connectControls, syncViewControls } from './controls.ts';
import { deepLinkUrl } from './deep-link.ts';
import { gridIndexFor, minPixelRatioFor, pyramidLevelFor } from '../../../pipeline/published/grid-level.ts';
import { placeLabels } from './labels.ts';
import { Overlay, type MapTransform } from './overlay.ts';
import { fillTooltip, formatAttribution } from './tooltip.ts';

/**
 * What one viewer may hold and fetch, set for the screen it is on. Every cached tile is a 256 px canvas
 * (OpenSeadragon keeps tiles as 2D contexts for its canvas drawer): 256 KB of backing store. iOS Safari caps the
 * canvas memory of a whole page (OpenSeadragon #2176), and an article has four viewers, so on a small screen
 * each keeps 48 tiles (12 MB; a 375 px figure at a device pixel ratio of 2 holds ~20 after a reader zooms in and
 * pans, so zooming back out is free) and fetches 3 at once (a phone on a cellular link gains nothing from more,
 * and each decode is a burst of memory). A desktop figure shows ~30 tiles: 128 cached, 6 at once. npm run
 * bench:site measures the canvas memory an article holds on a phone.
 */
function viewerBudget(): { tileCache: number; parallelTiles: number } {
  return window.innerWidth < 700 ? { tileCache: 48, parallelTiles: 3 } : { tileCache: 128, parallelTiles: 6 };
}

/** How long after a gesture the URL is updated with the new view. */
const RECORD_DELAY_MS = 500;

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

export type FocusSign = 'towards' | 'away';

export class AtlasFigure {
  readonly config: FigureConfig;
  readonly viewer: OpenSeadragon.Viewer;
  view: ClientView;
  focus: string | null = null;
  focusSign: FocusSign = 'towards';
  highlight: [number, number][] = [];
  /** Set by a scrollytelling figure so that copied links and the URL name its step. */
  step: number | undefined;

  private readonly cells = new CellStore(() => this.requestDraw());
  private readonly overlay: Overlay;
  private readonly tooltip: HTMLElement;
  private inspected: { located: LocatedCell; pinned: boolean } | undefined;
  private drawPending = false;
  private recordTimer: number | undefined;
  private userMoved = false;
  /** Resolves once the first view has opened (before it, the viewport cannot be moved). */
  readonly ready: Promise<void>;

  constructor(readonly element: HTMLElement) {
    this.config = readConfig(element);
    this.view = this.viewById(this.config.initial.view) ?? this.config.views[0]!;
    const host = element.querySelector<HTMLElement>('.atlas-viewer')!;
    this.tooltip = element.querySelector<HTMLElement>('.atlas-tooltip')!;
    const wide = host.clientWidth >= 560;
    const budget = viewerBudget();

    this.viewer = OpenSeadragon({
      element: host,
      tileSources: tileSourceOf(this.view),
      // The 2D canvas drawer everywhere: OpenSeadragon's WebGL drawer struggles on iOS Safari (#2667), each WebGL
      // context costs GPU memory four times over in an article, and the overlay (overlay.ts) needs no WebGL.
      drawer: 'canvas',
      showNavigationControl: false,
      showNavigator: wide,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorSizeRatio: 0.16,
      navigatorAutoFade: false,
      navigatorBorderColor: '#8a9199',
      navigatorDisplayRegionColor: '#0b57d0',
      navigatorBackground: this.view.background,
      cooperativeGestures: true,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true, scrollToZoom: true },
      gestureSettingsTouch: { clickToZoom: false, dblClickToZoom: true, pinchToZoom: true, flickEnabled: true },
      imageLoaderLimit: budget.parallelTiles,
      maxImageCacheCount: budget.tileCache,
      visibilityRatio: 0.5,
      constrainDuringPan: true,
      minZoomImageRatio: 0.8,
      maxZoomPixelRatio: 2,
      zoomPerScroll: 1.3,
      animationTime: reducedMotion() ? 0 : 0.9,
      placeholderFillStyle: this.view.background,
      crossOriginPolicy: false,
      preserveImageSizeOnResize: true,
    } as OpenSeadragon.Options);

    this.ready = new Promise((resolve) => this.viewer.addOnceHandler('open', () => resolve()));
    const canvas = this.viewer.canvas;
    canvas.classList.add('atlas-canvas');
    canvas.setAttribute('aria-label', host.dataset.label ?? 'Activation atlas');
    canvas.setAttribute('aria-describedby', host.dataset.describedby ?? '');
    canvas.setAttribute('aria-roledescription', 'zoomable map');
    canvas.setAttribute('role', 'img');
    this.overlay = new Overlay(canvas);

    this.viewer.world.addHandler('add-item', (event) => {
      this.drawShownGrid(event.item);
      event.item.addHandler('fully-loaded-change', (change) => {
        if (change.fullyLoaded) element.dataset.loaded = 'true';
      });
    });
    this.viewer.addHandler('open', () => {
      if (this.config.initial.box) this.fitBox(this.config.initial.box, true);
      element.dataset.ready = 'true';
      this.requestDraw();
    });
    this.viewer.addHandler('update-viewport', () => this.requestDraw());
    this.viewer.addHandler('resize', () => this.requestDraw());
    this.viewer.addHandler('canvas-click', (event) => {
      if (event.quick) void this.inspectAt(event.position, true);
    });
    for (const gesture of ['canvas-drag', 'canvas-scroll', 'canvas-pinch', 'canvas-double-click'] as const) {
      this.viewer.addHandler(gesture, () => this.movedByReader());
    }
    this.viewer.addHandler('canvas-key', (event) => this.onKey(event));
    this.viewer.addHandler('animation-finish', () => this.recordIfMoved());

    canvas.addEventListener('pointermove', (event) => {
      if (event.pointerType === 'touch' || this.inspected?.pinned) return;
      const bounds = host.getBoundingClientRect();
      void this.inspectAt(new OpenSeadragon.Point(event.clientX - bounds.left, event.clientY - bounds.top), false);
    });
    canvas.addEventListener('pointerleave', () => {
      if (!this.inspected?.pinned) this.closeTooltip();
    });
    element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.inspected) this.closeTooltip();
    });

    if (this.config.initial.focus) this.setFocus(this.config.initial.focus);
    connectControls(this);
    element.classList.add('is-live');
  }

  // ——— state ———

  state(): ViewState & { step?: number } {
    const bounds = this.viewer.viewport.getBounds();
    const box: Box = [bounds.x, bounds.y, bounds.x + bounds.width, bounds.y + bounds.height];
    return { view: this.view.id, box, focus: this.focus, ...(this.step ? { step: this.step } : {}) };
  }

  /** Moves the figure to a state: view first, then focus, highlights and the region (animated unless reduced motion). */
  async apply(state: ViewState, options: { animate?: boolean } = {}): Promise<void> {
    await this.ready;
    const animate = (options.animate ?? true) && !reducedMotion();
    if (state.view !== this.view.id) await this.showView(state.view);
    if (state.focus !== undefined) this.setFocus(state.focus);
    this.highlight = state.highlight ?? [];
    if (state.box) this.fitBox(state.box, !animate);
    this.requestDraw();
  }

  async showView(id: string): Promise<void> {
    const view = this.viewById(id);
    if (!view || view === this.view) return;
    this.view = view;
    this.closeTooltip();
    syncViewControls(this);
    await new Promise<void>((resolve) => {
      this.viewer.addTiledImage({
        tileSource: tileSourceOf(view),
        index: 0,
        replace: true,
        placeholderFillStyle: view.background,
        success: () => resolve(),
        error: () => resolve(),
      } as OpenSeadragon.TileSourceSpecifier);
    });
    this.element.dataset.view = view.id;
    this.requestDraw();
  }

  setFocus(label: string | null, sign: FocusSign = this.focusSign): void {
    this.focus = label && this.config.labels.includes(label) ? label : null;
    this.focusSign = sign;
    const input = this.element.querySelector<HTMLInputElement>('.atlas-focus-input');
    if (input && input.value !== (this.focus ?? '') && document.activeElement !== input) input.value = this.focus ?? '';
    if (this.focus) this.element.dataset.focus = this.focus;
    else delete this.element.dataset.focus;
    this.requestDraw();
  }

  /** How wide the whole map is on screen now, in CSS pixels (the image is one world unit wide). */
  private mapCssPixels(): number {
    return this.viewer.viewport.deltaPixelsFromPointsNoRotate(new OpenSeadragon.Point(1, 0), true).x;
  }

  /** The grid the figure shows at the current zoom, by the rule in grid-level.ts. */
  shownLevel() {
    return this.view.levels[gridIndexFor(this.view.levels, this.mapCssPixels())]!;
  }

  /**
   * Makes the map's TiledImage draw the grid the rule chooses, in every frame: before OpenSeadragon picks the
   * pyramid levels for a frame (TiledImage.update), its minPixelRatio is set so that the level it picks is one
   * of the shown grid's (grid-level.ts). Only the map's own TiledImage: the navigator keeps OpenSeadragon's choice.
   */
  private drawShownGrid(item: OpenSeadragon.TiledImage): void {
    const tiledImage = item as OpenSeadragon.TiledImage & { update(viewportChanged: boolean): boolean; minPixelRatio: number };
    const update = tiledImage.update.bind(tiledImage);
    // The view this item shows (this.view changes before a replaced item leaves the world).
    const { levels, image } = this.view;
    tiledImage.update = (viewportChanged: boolean) => {
      const mapCssPixels = this.mapCssPixels();
      const density = (OpenSeadragon as unknown as { pixelDensityRatio: number }).pixelDensityRatio;
      const level = pyramidLevelFor(levels, gridIndexFor(levels, mapCssPixels), image.width, mapCssPixels, density);
      tiledImage.minPixelRatio = minPixelRatioFor(image.width, level, mapCssPixels, density);
      return update(viewportChanged);
    };
  }

  private fitBox([x0, y0, x1, y1]: Box, immediately: boolean): void {
    this.viewer.viewport.fitBounds(new OpenSeadragon.Rect(x0, y0, x1 - x0, y1 - y0), immediately);
  }

  private viewById(id: string): ClientView | undefined {
    return this.config.views.find((view) => view.id === id);
  }

  // ——— drawing ———

  requestDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private transform(): MapTransform {
    const origin = this.viewer.viewport.pixelFromPoint(new OpenSeadragon.Point(0, 0), true);
    const corner = this.viewer.viewport.pixelFromPoint(new OpenSeadragon.Point(1, 0), true);
    return { originX: origin.x, originY: origin.y, scale: corner.x - origin.x };
  }

  private draw(): void {
    if (!this.viewer.world.getItemCount()) return;
    const level = this.shownLevel();
    this.element.dataset.gridSize = String(level.size);
    // The region shown, for tests and for anyone inspecting the page.
    this.element.dataset.box = this.state()
      .box!.map((v) => v.toFixed(4))
      .join(',');
    const transform = this.transform();
    const bounds = this.viewer.viewport.getBounds(true);
    // The region on screen this frame (the box above is where the map is going): a flight passes through many.
    this.element.dataset.shown = [bounds.x, bounds.y, bounds.x + bounds.width, bounds.y + bounds.height].map((v) => v.toFixed(4)).join(',');
    const visible: Box = [bounds.x, bounds.y, bounds.x + bounds.width, bounds.y + bounds.height];
    const needCells = Boolean(this.focus) || this.config.showLabels || this.highlight.length > 0;
    const cells = needCells ? this.cells.cellsIn(this.view, level, visible) : [];

    let faded: { located: LocatedCell; keep: number }[] | undefined;
    if (this.focus) {
      const label = this.config.labels.indexOf(this.focus);
      const sign = this.focusSign === 'towards' ? 1 : -1;
      const values = cells.map((located) => sign * attributionTo(located.cell, label, this.focus!, this.view.focusClasses));
      const largest = Math.max(1e-9, ...values);
      faded = cells.map((located, i) => ({ located, keep: Math.max(0, values[i]!) / largest }));
    }
    const outlined = cells.filter(({ cell, size }) => this.highlight.some(([x, y]) => Math.floor(x * size) === cell.x && Math.floor(y * size) === cell.y));
    if (this.inspected && this.inspected.located.size === level.size) outlined.push(this.inspected.located);
    const styles = getComputedStyle(this.element);
    this.overlay.draw({
      transform,
      background: this.view.background,
      faded,
      outlined,
      labels: this.config.showLabels
        ? placeLabels(cells, this.config.labels, transform, this.overlay.canvas.clientWidth, this.overlay.canvas.clientHeight)
        : [],
      ink: styles.getPropertyValue('--atlas-label-ink').trim() || '#111',
      halo: styles.getPropertyValue('--atlas-label-halo').trim() || '#fff',
    });
  }

  // ——— inspecting cells ———

  /** Finds the cell under a point of the viewer (element pixels) and shows its tooltip; `pin` keeps it open. */
  async inspectAt(position: OpenSeadragon.Point, pin: boolean): Promise<void> {
    const point = this.viewer.viewport.viewerElementToViewportCoordinates(position);
    const level = this.shownLevel();
    const view = this.view;
    const located = await this.cells.cellAt(view, level, point.x, point.y);
    if (view !== this.view) return;
    if (!located) {
      if (pin || !this.inspected?.pinned) this.closeTooltip();
      return;
    }
    this.inspected = { located, pinned: pin };
    fillTooltip(this.tooltip, located, view, this.config.labels);
    if (view.kind === 'comparison' && view.classes) this.appendComparison(located);
    this.tooltip.hidden = false;
    this.placeTooltip(position);
    this.element.dataset.inspected = `${located.size}:${located.cell.x},${located.cell.y}`;
    this.requestDraw();
  }

  /** The cell at the centre of the view, for keyboard readers. */
  inspectCentre(): Promise<void> {
    const size = this.viewer.viewport.getContainerSize();
    return this.inspectAt(new OpenSeadragon.Point(size.x / 2, size.y / 2), true);
  }

  closeTooltip(): void {
    this.inspected = undefined;
    this.tooltip.hidden = true;
    delete this.element.dataset.inspected;
    this.requestDraw();
  }

  private appendComparison(located: LocatedCell): void {
    const line = document.createElement('p');
    line.className = 'atlas-tip-compare';
    line.textContent = this.view
      .classes!.map((name) => `${name} ${formatAttribution(attributionTo(located.cell, this.config.labels.indexOf(name), name, this.view.focusClasses))}`)
      .join(' · ');
    this.tooltip.append(line);
  }

  private placeTooltip(position: OpenSeadragon.Point): void {
    const stage = this.tooltip.offsetParent as HTMLElement | null;
    const viewerBox = this.viewer.element.getBoundingClientRect();
    const stageBox = stage?.getBoundingClientRect() ?? viewerBox;
    const x = position.x + viewerBox.left - stageBox.left;
    const y = position.y + viewerBox.top - stageBox.top;
    const width = this.tooltip.offsetWidth;
    const height = this.tooltip.offsetHeight;
    const gap = 14;
    const left = x + gap + width <= stageBox.width ? x + gap : Math.max(4, x - gap - width);
    const top = Math.min(Math.max(4, y - height / 2), Math.max(4, stageBox.height - height - 4));
    this.tooltip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  // ——— keyboard, gestures and the URL ———

  private onKey(event: OpenSeadragon.CanvasKeyEvent): void {
    const key = (event.originalEvent as KeyboardEvent).key;
    if (key === 'Enter' || key === ' ') {
      event.preventDefaultAction = true;
      (event.originalEvent as KeyboardEvent).preventDefault();
      void this.inspectCentre();
      return;
    }
    // Rotation and flipping (r, R, f) make no sense on a map whose axes are the layout's.
    if (key === 'r' || key === 'R' || key === 'f') {
      event.preventDefaultAction = true;
      return;
    }
    this.movedByReader();
  }

  private movedByReader(): void {
    this.userMoved = true;
    if (this.inspected?.pinned) this.closeTooltip();
    window.clearTimeout(this.recordTimer);
    this.recordTimer = window.setTimeout(() => this.recordIfMoved(), RECORD_DELAY_MS * 2);
  }

  /** After the reader moved the figure, the address bar records the view (without a history entry). */
  recordIfMoved(): void {
    if (!this.userMoved) return;
    window.clearTimeout(this.recordTimer);
    this.recordTimer = window.setTimeout(() => {
      this.userMoved = false;
      history.replaceState(history.state, '', this.link());
    }, RECORD_DELAY_MS);
  }

  link(): string {
    return deepLinkUrl(this.element.id, this.config.atlas, this.state());
  }

  /** The reader chose something (a view, a focus class): the address bar records it soon. */
  choseByReader(): void {
    this.userMoved = true;
    this.recordIfMoved();
  }

  /** The reader moved the map with a control. */
  movedByControl(): void {
    this.movedByReader();
  }
}
