import { createMainController } from './create-main-controller.ts';
import { createFigmaHost } from './figma-host.ts';
import type { PluginAPI } from './figma-types.ts';

// The global `figma` and the module form of the same typings describe one API, but TypeScript cannot relate
// the two declarations' node types, hence the one cast.
createMainController(createFigmaHost(figma as unknown as PluginAPI), __html__).start();
