import type { JSX } from 'preact';

/** The Spectrum elements the panel uses, for Preact's JSX: their attributes and properties are set by name. */
type SpectrumElement = JSX.HTMLAttributes<HTMLElement> & Record<string, unknown>;

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'sp-theme': SpectrumElement;
      'sp-action-button': SpectrumElement;
      'sp-action-group': SpectrumElement;
      'sp-button': SpectrumElement;
      'sp-field-label': SpectrumElement;
      'sp-help-text': SpectrumElement;
      'sp-link': SpectrumElement;
      'sp-progress-bar': SpectrumElement;
      'sp-slider': SpectrumElement;
      'sp-switch': SpectrumElement;
      'sp-textfield': SpectrumElement;
    }
  }
}
