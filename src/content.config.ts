import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { articleSchema } from '../pipeline/content/schema.ts';

/** Articles are the MDX files in content/articles/; their front matter is documented in pipeline/content/schema.ts. */
const articles = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: './content/articles' }),
  schema: ({ image }) => articleSchema(image()),
});

export const collections = { articles };
