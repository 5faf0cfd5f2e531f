// Figma's types as a module: the main thread's code and its tests use these without Figma's globals (whose
// `setTimeout` returning a number would clash with Node's in the tests).
export type {
  BaseNode,
  ChildrenMixin,
  ExportSettingsImage,
  ImagePaint,
  Paint,
  PluginAPI,
  SceneNode,
  ShowUIOptions,
  SolidPaint,
  Transform,
} from '@figma/plugin-typings/plugin-api-standalone';
