/**
 * An article's cover as the index card and the social card show it: an image file next to the article (optimized
 * by Astro), or an atlas view's static picture as the pipeline rendered it (the whole map at its home-view grid).
 */
import { getImage } from 'astro:assets';
import type { ImageMetadata } from 'astro';
import { publishedAtlas, viewUrl } from './atlas-figures';

export interface Cover {
  image?: ImageMetadata;
  atlas?: string;
  view?: string;
  alt: string;
}

export interface AtlasCover {
  src: string;
  srcset: string;
  width: number;
  height: number;
  alt: string;
}

/** The static and thumbnail pictures of the cover's atlas view (remark-atlas-figures has checked it exists). */
export function atlasCover(cover: Cover, where: string): AtlasCover | undefined {
  if (!cover.atlas || !cover.view) return undefined;
  const atlas = publishedAtlas(cover.atlas, where);
  const index = atlas.view(cover.view, where);
  const folder = viewUrl(atlas, cover.view);
  const side = Math.min(index.image.width, 1600);
  const thumbnail = Math.min(index.image.width, 256);
  return {
    src: `${folder}${index.static}`,
    srcset: `${folder}${index.thumbnail} ${thumbnail}w, ${folder}${index.static} ${side}w`,
    width: side,
    height: side,
    alt: cover.alt,
  };
}

/** The social card: 1200×630 from an image file; the square static picture of an atlas view as it is. */
export async function socialCard(cover: Cover | undefined, where: string): Promise<{ src: string; width: number; height: number; alt: string } | undefined> {
  if (!cover) return undefined;
  const atlas = atlasCover(cover, where);
  if (atlas) return { src: atlas.src, width: atlas.width, height: atlas.height, alt: atlas.alt };
  if (!cover.image) return undefined;
  const card = await getImage({ src: cover.image, width: 1200, height: 630, fit: 'cover', format: 'jpeg' });
  return { src: card.src, width: 1200, height: 630, alt: cover.alt };
}
