import type { OptionField, OptionValues } from '@lumina/plugin-core';

/**
 * The plugin core's option form (the same words both plugins show) drawn with plain form controls: toggles as
 * checkboxes, choices as a row of radio buttons with the chosen option's hint, the margin as a range.
 */
export function OptionFields(props: {
  fields: readonly OptionField[];
  idPrefix: string;
  onChange: (key: string, value: OptionValues[string]) => void;
}) {
  const { fields, idPrefix, onChange } = props;
  return (
    <>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.key}`;
        switch (field.kind) {
          case 'toggle':
            return (
              <label class="choice" for={id} key={id}>
                <input
                  id={id}
                  type="checkbox"
                  checked={field.value}
                  onChange={(event) => onChange(field.key, event.currentTarget.checked)}
                />
                {field.label}
              </label>
            );
          case 'slider':
            return (
              <label for={id} key={id}>
                {field.label}{' '}
                <span class="hint muted">
                  {field.value} {field.unit}
                </span>
                <input
                  id={id}
                  type="range"
                  min={field.min}
                  max={field.max}
                  value={field.value}
                  onInput={(event) => onChange(field.key, Number(event.currentTarget.value))}
                />
              </label>
            );
          case 'choice': {
            const hint = field.options.find((option) => option.value === field.value)?.hint;
            return (
              <fieldset class="segmented" key={id} data-testid={`field-${field.key}`}>
                <legend>{field.label}</legend>
                {field.options.map((option) => (
                  <label class="choice">
                    <input
                      type="radio"
                      name={id}
                      value={option.value}
                      checked={option.value === field.value}
                      onChange={() => onChange(field.key, option.value)}
                    />
                    {option.label}
                  </label>
                ))}
                {hint && <span class="hint muted">{hint}</span>}
              </fieldset>
            );
          }
          case 'color':
            return (
              <label class="choice" for={id} key={id}>
                <input
                  id={id}
                  type="color"
                  value={field.value}
                  onInput={(e) => onChange(field.key, e.currentTarget.value)}
                />
                {field.label}
              </label>
            );
          case 'text':
            return (
              <label for={id} key={id}>
                {field.label}
                <textarea
                  id={id}
                  rows={2}
                  maxLength={field.maxLength}
                  placeholder={field.placeholder}
                  value={field.value}
                  onInput={(event) => onChange(field.key, event.currentTarget.value)}
                />
              </label>
            );
        }
        return null;
      })}
    </>
  );
}
