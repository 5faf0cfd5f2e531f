import type { OptionField, OptionValues } from '@lumina/plugin-core';

/** Value of a Spectrum control from its `change` / `input` event. */
const controlValue = (event: Event) => (event.currentTarget as HTMLElement & { value?: unknown }).value;
const selectedOf = (event: Event) => (event.currentTarget as HTMLElement & { selected?: string[] }).selected?.[0];

/** The core's option form drawn with Spectrum: toggles as switches, choices as segmented action groups. */
export function OptionFields({
  fields,
  onChange,
}: {
  fields: readonly OptionField[];
  onChange: (key: string, value: OptionValues[string]) => void;
}) {
  return (
    <div class="fields">
      {fields.map((field) => {
        const id = `field-${field.key}`;
        switch (field.kind) {
          case 'toggle':
            return (
              <sp-switch
                key={id}
                id={id}
                data-testid={id}
                checked={field.value}
                onChange={(event: Event) => onChange(field.key, (event.currentTarget as HTMLInputElement).checked)}
              >
                {field.label}
              </sp-switch>
            );
          case 'slider':
            return (
              <sp-slider
                key={id}
                id={id}
                data-testid={id}
                label={field.label}
                min={field.min}
                max={field.max}
                value={field.value}
                onChange={(event: Event) => onChange(field.key, Number(controlValue(event)))}
              />
            );
          case 'choice': {
            const hint = field.options.find((option) => option.value === field.value)?.hint;
            return (
              <div key={id} class="field">
                <sp-field-label for={id} size="s">
                  {field.label}
                </sp-field-label>
                <sp-action-group
                  id={id}
                  data-testid={id}
                  selects="single"
                  compact
                  size="s"
                  selected={[field.value]}
                  onChange={(event: Event) => {
                    const next = selectedOf(event);
                    if (next !== undefined) onChange(field.key, next);
                  }}
                >
                  {field.options.map((option) => (
                    <sp-action-button key={option.value} value={option.value} data-value={option.value}>
                      {option.label}
                    </sp-action-button>
                  ))}
                </sp-action-group>
                {hint ? <sp-help-text size="s">{hint}</sp-help-text> : null}
              </div>
            );
          }
          case 'color':
            return (
              <div key={id} class="field color">
                <sp-field-label for={id} size="s">
                  {field.label}
                </sp-field-label>
                <input
                  id={id}
                  data-testid={id}
                  type="color"
                  value={field.value}
                  onInput={(event) => onChange(field.key, event.currentTarget.value)}
                />
              </div>
            );
          case 'text':
            return (
              <div key={id} class="field">
                <sp-field-label for={id} size="s">
                  {field.label}
                </sp-field-label>
                <sp-textfield
                  id={id}
                  data-testid={id}
                  multiline
                  grows
                  placeholder={field.placeholder}
                  maxlength={field.maxLength}
                  value={field.value}
                  onInput={(event: Event) => onChange(field.key, String(controlValue(event) ?? ''))}
                />
              </div>
            );
        }
        return null;
      })}
    </div>
  );
}
